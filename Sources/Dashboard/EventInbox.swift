import Foundation
import RunLog

/// The dashboard's mailbox: the tuner calls `receive` from its queue, the UI thread calls `drain`
/// once a frame and folds what it got. Both are O(1) per event; the lock is held only to append or
/// to swap the buffer.
public final class EventInbox: EventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [RunEvent] = []

    /// An empty inbox.
    public init() {}

    /// Queues `event` (called by the tuner, any thread).
    public func receive(_ event: RunEvent) {
        lock.lock()
        pending.append(event)
        lock.unlock()
    }

    /// Takes every queued event, in arrival order.
    public func drain() -> [RunEvent] {
        lock.lock()
        let out = pending
        pending = []
        lock.unlock()
        return out
    }

    /// Events waiting to be drained.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return pending.count
    }
}
