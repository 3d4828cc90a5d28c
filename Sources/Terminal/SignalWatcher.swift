import Foundation
import Synchronization

/// The write end of the signal pipe, read by the C signal handler (set once, before any handler runs).
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1

/// The process's handler for watched signals: writes the signal's number into the pipe (`write` is
/// async-signal-safe); the pipe's thread tells the watchers.
private func writeSignal(_ sig: Int32) {
    var byte = UInt8(truncatingIfNeeded: sig)
    _ = write(signalPipeWrite, &byte, 1)
}

/// Catches signals (SIGINT, SIGTERM, SIGHUP by default) for as long as it watches. The UI loop polls
/// `pending`; a headless run gets `onSignal` called on the signal thread; both exit with `exitCode`
/// (128 + the first signal).
///
/// A plain handler writes each signal into a pipe that one thread of the process reads (the self-pipe
/// pattern) and hands to every watcher watching it. Not a Dispatch signal source: libdispatch on Linux
/// installs its own handler once per signal, so a source made after an earlier watcher put the old
/// disposition back never fired (a second Ctrl-C after the dashboard closed went unseen). The signal
/// thread unblocks the signals for itself, so they are caught even when a parent blocked them.
///
/// `@unchecked Sendable`, audited: every stored property is a constant or an atomic; the registry of
/// watchers is behind a lock.
public final class SignalWatcher: @unchecked Sendable {
    /// What the signal thread records (a class: atomics cannot be copied).
    private final class Flags: Sendable {
        let latest = Atomic<Int32>(0)
        let first = Atomic<Int32>(0)
        let stopped = Atomic<Bool>(false)
    }

    private static let registry = NSLock()
    nonisolated(unsafe) private static var watchers: [ObjectIdentifier: SignalWatcher] = [:]
    nonisolated(unsafe) private static var started = false

    private let flags = Flags()
    private let signals: Set<Int32>
    private let onSignal: (@Sendable (Int32) -> Void)?
    /// The dispositions to put back on `stop`.
    private let previous: [(Int32, sighandler_t?)]

    /// Starts watching `signals`; `onSignal`, if given, runs on the signal thread for each one caught.
    public init(
        _ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP], onSignal: (@Sendable (Int32) -> Void)? = nil
    ) {
        self.signals = Set(signals)
        self.onSignal = onSignal
        Self.registry.lock()
        Self.startThread()
        var saved: [(Int32, sighandler_t?)] = []
        for sig in signals { saved.append((sig, signal(sig, writeSignal))) }
        previous = saved
        Self.watchers[ObjectIdentifier(self)] = self
        Self.registry.unlock()
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
        Self.registry.lock()
        Self.watchers[ObjectIdentifier(self)] = nil
        for (sig, handler) in previous.reversed() { signal(sig, handler) }
        Self.registry.unlock()
    }

    private func caught(_ sig: Int32) {
        guard signals.contains(sig), !flags.stopped.load(ordering: .sequentiallyConsistent) else { return }
        flags.latest.store(sig, ordering: .sequentiallyConsistent)
        _ = flags.first.compareExchange(expected: 0, desired: sig, ordering: .sequentiallyConsistent)
        onSignal?(sig)
    }

    /// Makes the pipe and starts its thread, once (called with the registry locked).
    private static func startThread() {
        guard !started else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        signalPipeWrite = fds[1]
        started = true
        let reader = fds[0]
        let thread = Thread { readSignals(from: reader) }
        thread.name = "ashb-top.signals"
        thread.start()
    }

    private static func readSignals(from fd: Int32) {
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, sig) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        while true {
            var byte: UInt8 = 0
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            registry.lock()
            let current = Array(watchers.values)
            registry.unlock()
            for w in current { w.caught(Int32(byte)) }
        }
    }
}
