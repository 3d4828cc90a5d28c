import ASHA
import RunLog

/// A recorded run held for replay: its events in log order, the running maximum of their times (so a
/// time maps to a position by binary search even in a log whose clock went backwards), and snapshots of
/// the folded model. The model at any position is the nearest snapshot at or before it, folded forward;
/// seeking backwards works the same way.
///
/// Snapshots are taken every `snapshotInterval` events as events are appended. When there would be more
/// than `maxSnapshots`, every other one is dropped and the interval doubles, so there are never more than
/// `maxSnapshots` models held however long the log is (and a seek folds at most one interval of events).
/// The events themselves are held too (about 90 bytes each).
public final class ReplayTimeline {
    /// The events appended so far, in log order.
    public private(set) var events: [RunEvent] = []
    /// `times[i]`: the largest event time among `events[0...i]`.
    private var times: [Double] = []
    /// `snapshots[k]`: the model after `k * snapshotInterval` events.
    private var snapshots: [DashboardModel]
    /// Events between two snapshots.
    public private(set) var snapshotInterval: Int
    /// The most snapshots kept.
    public let maxSnapshots: Int
    /// The model after every event appended so far.
    public private(set) var tail: DashboardModel

    /// An empty timeline; `snapshotInterval` events between snapshots at first, at most `maxSnapshots`.
    public init(snapshotInterval: Int = 4096, maxSnapshots: Int = 20) {
        let empty = DashboardModel()
        tail = empty
        snapshots = [empty]
        self.snapshotInterval = max(1, snapshotInterval)
        self.maxSnapshots = max(2, maxSnapshots)
    }

    /// Events held.
    public var count: Int { events.count }

    /// Snapshots held (the empty model at position 0 included).
    public var snapshotCount: Int { snapshots.count }

    /// The time of the latest event (0 when empty).
    public var duration: Double { times.last ?? 0 }

    /// Appends events (in log order), folding them into `tail` and taking snapshots on the way.
    public func append(contentsOf batch: some Sequence<RunEvent>) {
        for event in batch {
            events.append(event)
            times.append(max(times.last ?? 0, event.time))
            tail.apply(event)
            if events.count % snapshotInterval == 0 {
                snapshots.append(tail)
                if snapshots.count > maxSnapshots { thin() }
            }
        }
    }

    /// Keeps every other snapshot (those at multiples of the doubled interval).
    private func thin() {
        snapshots = stride(from: 0, to: snapshots.count, by: 2).map { snapshots[$0] }
        snapshotInterval *= 2
    }

    /// The replay clock at `position` (events applied): the latest time among them, 0 before any.
    public func time(at position: Int) -> Double {
        let p = min(max(0, position), events.count)
        return p == 0 ? 0 : times[p - 1]
    }

    /// The number of events whose time is at or before `time` (the position a clock reading shows).
    public func position(atTime time: Double) -> Int {
        var lo = 0
        var hi = times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid] <= time { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The model after the first `position` events: the nearest snapshot at or before it folded forward,
    /// or `current` folded forward when that is closer (pass the model shown now and its position).
    public func model(at position: Int, from current: (position: Int, model: DashboardModel)? = nil)
        -> DashboardModel
    {
        let p = min(max(0, position), events.count)
        if p == events.count { return tail }
        let k = min(p / snapshotInterval, snapshots.count - 1)
        var start = k * snapshotInterval
        var model = snapshots[k]
        if let current, current.position <= p, current.position > start {
            start = current.position
            model = current.model
        }
        for i in start..<p { model.apply(events[i]) }
        return model
    }

    /// The position just after the next decision about `trial` after `position`, if any.
    public func nextDecision(about trial: TrialID, after position: Int) -> Int? {
        var i = max(0, position)
        while i < events.count {
            if case .decision(let d) = events[i].body, d.trial == trial { return i + 1 }
            i += 1
        }
        return nil
    }

    /// The position just after the latest decision about `trial` before the last event applied at
    /// `position` (so that, standing on a decision, this goes to the one before it).
    public func previousDecision(about trial: TrialID, before position: Int) -> Int? {
        var i = min(position, events.count) - 2
        while i >= 0 {
            if case .decision(let d) = events[i].body, d.trial == trial { return i + 1 }
            i -= 1
        }
        return nil
    }
}
