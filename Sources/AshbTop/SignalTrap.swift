import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into a callback on a private queue (a signal source on the main queue
/// never fires while the main thread is busy), and remembers the first signal for the exit code.
final class SignalTrap: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "ashb.signals")
    private let lock = NSLock()
    private var first: Int32?

    /// Installs the trap; `handler` runs on a private queue for each signal received.
    init(_ signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (Int32) -> Void) {
        for sig in signals {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler { [weak self] in
                self?.record(sig)
                handler(sig)
            }
            s.resume()
            sources.append(s)
        }
    }

    private func record(_ sig: Int32) {
        lock.lock()
        if first == nil { first = sig }
        lock.unlock()
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
