import Dispatch
import Foundation
import Synchronization

/// Catches SIGINT, SIGTERM and SIGHUP while the screen is up: the signals are ignored at the
/// process level, a Dispatch source on a private queue stores the latest one in an atomic, and the
/// UI loop polls `pending` (a source on the main queue would never fire while the loop runs).
final class SignalWatcher {
    /// The latest signal caught (0: none), shared with the Dispatch handlers.
    private final class Flag: Sendable {
        let value = Atomic<Int32>(0)
    }

    private let flag = Flag()
    private let sources: [any DispatchSourceSignal]
    private let queue = DispatchQueue(label: "ashb-top.signals")
    /// The dispositions to put back on `stop`.
    private var previous: [(Int32, sighandler_t?)] = []

    init(_ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) {
        var made: [any DispatchSourceSignal] = []
        var saved: [(Int32, sighandler_t?)] = []
        for sig in signals {
            saved.append((sig, signal(sig, SIG_IGN)))
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [flag] in flag.value.store(sig, ordering: .sequentiallyConsistent) }
            source.resume()
            made.append(source)
        }
        sources = made
        previous = saved
    }

    /// The latest signal caught, if any.
    var pending: Int32? {
        let s = flag.value.load(ordering: .sequentiallyConsistent)
        return s == 0 ? nil : s
    }

    /// Stops watching and puts the previous signal dispositions back.
    func stop() {
        for source in sources { source.cancel() }
        for (sig, handler) in previous { signal(sig, handler) }
        previous = []
    }
}
