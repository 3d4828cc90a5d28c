import Dispatch
import Foundation

/// The write end of the signal pipe, read by the C signal handler (set once, before any handler runs).
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1

/// The process's signal handler: writes the signal's number into the pipe (`write` is async-signal-safe).
private func writeSignal(_ sig: Int32) {
    var byte = UInt8(truncatingIfNeeded: sig)
    _ = write(signalPipeWrite, &byte, 1)
}

/// Turns SIGINT and SIGTERM into a callback on a thread of its own, and remembers the first signal for
/// the exit code.
///
/// A plain handler writes the signal into a pipe that a thread reads (the self-pipe pattern), rather
/// than a Dispatch signal source: libdispatch on Linux installs its handler once per signal, so a source
/// made after the dashboard's watcher put the old disposition back never fires.
final class SignalTrap: @unchecked Sendable {
    private static let registry = NSLock()
    nonisolated(unsafe) private static var current: SignalTrap?
    nonisolated(unsafe) private static var readerStarted = false

    private let lock = NSLock()
    private var first: Int32?
    private var count = 0
    private let handler: @Sendable (Int32) -> Void
    private let again: (@Sendable (Int32) -> Void)?

    /// Installs the trap (replacing any earlier one); `handler` runs on the trap's thread for the first
    /// signal received, and `again` (when given, else `handler`) for every later one.
    init(
        _ signals: [Int32] = [SIGINT, SIGTERM], again: (@Sendable (Int32) -> Void)? = nil,
        handler: @escaping @Sendable (Int32) -> Void
    ) {
        self.handler = handler
        self.again = again
        Self.registry.lock()
        Self.current = self
        if !Self.readerStarted {
            var fds: [Int32] = [-1, -1]
            if pipe(&fds) == 0 {
                _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
                signalPipeWrite = fds[1]
                Self.readerStarted = true
                let reader = fds[0]
                let thread = Thread { Self.readSignals(from: reader) }
                thread.name = "ashb.signals"
                thread.start()
            }
        }
        Self.registry.unlock()
        for sig in signals { signal(sig, writeSignal) }
    }

    deinit {
        Self.registry.lock()
        if Self.current === self { Self.current = nil }
        Self.registry.unlock()
    }

    private static func readSignals(from fd: Int32) {
        // The signals may be blocked in every thread (a parent that blocks them passes its mask on): this
        // thread takes them, so the handler always has a thread to run on.
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
            let trap = current
            registry.unlock()
            trap?.deliver(Int32(byte))
        }
    }

    private func deliver(_ sig: Int32) {
        if record(sig), let again { again(sig) } else { handler(sig) }
    }

    /// Records a signal; true for every one after the first.
    private func record(_ sig: Int32) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if first == nil { first = sig }
        count += 1
        return count > 1
    }

    /// The first signal received, if any.
    var received: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return first
    }

    /// The conventional exit code for a run ended by a signal (128 + signal), or nil.
    var exitCode: Int32? { received.map { 128 + $0 } }
}
