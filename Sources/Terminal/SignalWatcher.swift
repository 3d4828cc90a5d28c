import Dispatch
import Foundation
import Synchronization

/// Catches signals (SIGINT, SIGTERM, SIGHUP by default) for as long as it watches: the signals are
/// ignored at the process level and a Dispatch source on a private queue records each one (a source on
/// the main queue never fires while the main thread is busy, e.g. in the UI loop or waiting for a run).
/// The UI loop polls `pending`; a headless run gets `onSignal` called on the private queue; both exit
/// with `exitCode` (128 + the first signal).
///
/// `@unchecked Sendable`, audited: every stored property is a constant or an atomic; the only
/// non-`Sendable` ones are the Dispatch sources, whose `cancel()` may be called from any thread.
public final class SignalWatcher: @unchecked Sendable {
    /// What the Dispatch handlers record (a class: the handlers hold it, atomics cannot be copied).
    private final class Flags: Sendable {
        let latest = Atomic<Int32>(0)
        let first = Atomic<Int32>(0)
        let stopped = Atomic<Bool>(false)
    }

    private let flags = Flags()
    private let sources: [any DispatchSourceSignal]
    /// The dispositions to put back on `stop`.
    private let previous: [(Int32, sighandler_t?)]

    /// Starts watching `signals`; `onSignal`, if given, runs on a private queue for each one caught.
    public init(
        _ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP], onSignal: (@Sendable (Int32) -> Void)? = nil
    ) {
        let queue = DispatchQueue(label: "ashb-top.signals")
        var made: [any DispatchSourceSignal] = []
        var saved: [(Int32, sighandler_t?)] = []
        for sig in signals {
            saved.append((sig, signal(sig, SIG_IGN)))
            made.append(DispatchSource.makeSignalSource(signal: sig, queue: queue))
        }
        sources = made
        previous = saved
        for (sig, source) in zip(signals, made) {
            source.setEventHandler { [flags] in
                flags.latest.store(sig, ordering: .sequentiallyConsistent)
                _ = flags.first.compareExchange(expected: 0, desired: sig, ordering: .sequentiallyConsistent)
                onSignal?(sig)
            }
            source.resume()
        }
    }

    deinit { stop() }

    /// The latest signal caught, if any.
    public var pending: Int32? {
        let s = flags.latest.load(ordering: .sequentiallyConsistent)
        return s == 0 ? nil : s
    }

    /// The first signal caught, if any.
    public var received: Int32? {
        let s = flags.first.load(ordering: .sequentiallyConsistent)
        return s == 0 ? nil : s
    }

    /// The conventional exit status for a run ended by a signal (128 + the first signal), or nil.
    public var exitCode: Int32? { received.map { 128 + $0 } }

    /// Stops watching and puts the previous signal dispositions back (once; later calls do nothing).
    public func stop() {
        guard !flags.stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        for source in sources { source.cancel() }
        for (sig, handler) in previous { signal(sig, handler) }
    }
}
