import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into a callback on a private queue (a signal source on the main queue
/// never fires while the main thread is busy), and remembers the first signal for the exit code.
final class SignalTrap: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "ashb.signals")
    private let lock = NSLock()
    private var first: Int32?
    private var count = 0

    /// Installs the trap; `handler` runs on a private queue for the first signal received, and `again`
    /// (when given, else `handler`) for every later one.
    init(
        _ signals: [Int32] = [SIGINT, SIGTERM], again: (@Sendable (Int32) -> Void)? = nil,
        handler: @escaping @Sendable (Int32) -> Void
    ) {
        for sig in signals {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler { [weak self] in
                let isFirst = self?.record(sig) ?? true
                if !isFirst, let again { again(sig) } else { handler(sig) }
            }
            s.resume()
            sources.append(s)
        }
    }

    /// Records a signal; true for the first one.
    private func record(_ sig: Int32) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if first == nil { first = sig }
        count += 1
        return count == 1
    }

    /// The first signal received, if any.
    var received: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return first
    }

    /// The conventional exit code for a run ended by a signal (128 + signal), or nil.
    var exitCode: Int32? { received.map { 128 + $0 } }

    deinit { for s in sources { s.cancel() } }
}
