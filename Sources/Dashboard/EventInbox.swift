import Foundation
import RunLog

/// The dashboard's mailbox: the tuner calls `receive` from its queue, the UI thread calls `drain`
/// once a frame and folds what it got. Both are O(1) per event; the lock is held only to append or
/// to swap the buffer.
public final class EventInbox: EventSink, Sendable {
    private let pending = Locked<[RunEvent]>([])

    /// An empty inbox.
    public init() {}

    /// Queues `event` (called by the tuner, any thread).
    public func receive(_ event: RunEvent) {
        pending.withLock { $0.append(event) }
    }

    /// Takes every queued event, in arrival order.
    public func drain() -> [RunEvent] {
        pending.withLock { pending in
            let out = pending
            pending = []
            return out
        }
    }

    /// Events waiting to be drained.
    public var count: Int { pending.withLock { $0.count } }
}
