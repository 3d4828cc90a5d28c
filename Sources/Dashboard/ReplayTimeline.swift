import ASHA
import RunLog

/// Where a timeline reads again the events it does not keep: the run log, indexed by the feed that read
/// it (see `ReplayTimeline.init(source:)`).
public protocol ReplayEventSource: AnyObject {
    /// Events `range` of those fed to the timeline (numbered from 0 in the order they were read), read
    /// again. The timeline asks for whole blocks (`ReplayTimeline.blockSize`) of what it was fed.
    func events(_ range: Range<Int>) throws -> [RunEvent]
}

/// A run log indexed while it was read gives back any of its events.
extension LogIndex: ReplayEventSource {}

/// A recorded run held for replay: where its events are, the running maximum of their times (so a time
/// maps to a position by binary search even in a log whose clock went backwards), and snapshots of the
/// folded model. The model at any position is the nearest snapshot at or before it, folded forward;
/// seeking backwards works the same way.
///
/// Events are kept in blocks of `blockSize`. Without a source every block is held (about 90 bytes an
/// event). With a source (a run log the feed indexed) only the block being filled and a few recently
/// read blocks (`cachedBlocks`) are held: the others are read again from the log when a seek, a step or
/// playing needs them, so memory does not grow with the log beyond one time (8 bytes) per block.
///
/// Snapshots are taken every `snapshotInterval` events as events are appended. When there would be more
/// than `maxSnapshots`, or more than `minSnapshots` holding over `snapshotBudget` bytes, every other one is dropped
/// and the interval doubles, so the snapshots' memory is bounded however long the log is (and a seek
/// folds at most one interval of events: fewer snapshots of a bigger run mean longer seeks).
public final class ReplayTimeline {
    /// Events in a block.
    public let blockSize: Int
    /// Blocks read again from the source kept at once.
    public let cachedBlocks: Int
    /// Reads blocks again; nil: every block is held.
    private let source: (any ReplayEventSource)?
    /// Every full block, when there is no source.
    private var heldBlocks: [Block] = []
    /// Recently read blocks (by number), most recent last, when there is a source.
    private var cache: [(index: Int, block: Block)] = []
    /// `blockEnds[k]`: the largest event time in full blocks 0...k.
    private var blockEnds: [Double] = []
    /// The block being filled.
    private var open = Block(events: [], times: [])
    /// `snapshots[k]`: the model after `k * snapshotInterval` events.
    private var snapshots: [DashboardModel]
    /// Events between two snapshots.
    public private(set) var snapshotInterval: Int
    /// The most snapshots kept.
    public let maxSnapshots: Int
    /// The most bytes (estimated, see `estimatedBytes`) the snapshots may hold together: past it they are
    /// thinned like past `maxSnapshots`.
    public let snapshotBudget: Int
    /// The fewest snapshots kept whatever the budget (so a seek in a very long log does not fold it
    /// from its start).
    public let minSnapshots = 8
    /// The estimated bytes the snapshots hold beyond the model after every event (`tail`): for each
    /// snapshot, the chunks it holds that the next snapshot no longer shares (written to since, so copied)
    /// and its own chunk references. Chunks appended since a snapshot are shared with every later copy
    /// and the tail, so they are the model's, not the snapshots'. The latest snapshot is counted once the
    /// next one is taken (until then it differs from the tail by at most one interval's writes).
    public private(set) var snapshotBytes = 0
    /// The model after every event appended so far.
    public private(set) var tail: DashboardModel
    /// Events appended so far.
    public private(set) var count = 0
    /// The error of the latest read from the source that failed, if any (the events it could not give are
    /// left unapplied; the player says so).
    public private(set) var readFailure: String?
    /// Blocks read again from the source (a measure of seeking).
    public private(set) var blocksRead = 0

    /// Events and their running maximum times (`times[i]`: the largest time up to `events[i]`, counting
    /// every block before).
    struct Block {
        var events: [RunEvent]
        var times: [Double]
    }

    /// An empty timeline; `snapshotInterval` events between snapshots at first, at most `maxSnapshots`.
    /// With a `source`, events are not held but read again from it by blocks of `blockSize`.
    public init(
        snapshotInterval: Int = 4096, maxSnapshots: Int = 1024, snapshotBudget: Int = 64 << 20,
        source: (any ReplayEventSource)? = nil, blockSize: Int = 4096, cachedBlocks: Int = 16
    ) {
        self.snapshotBudget = max(0, snapshotBudget)
        let empty = DashboardModel()
        tail = empty
        snapshots = [empty]
        self.snapshotInterval = max(1, snapshotInterval)
        self.maxSnapshots = max(2, maxSnapshots)
        self.source = source
        self.blockSize = max(1, blockSize)
        self.cachedBlocks = max(2, cachedBlocks)
        open.events.reserveCapacity(self.blockSize)
    }

    /// Snapshots held (the empty model at position 0 included).
    public var snapshotCount: Int { snapshots.count }

    /// Events held in memory now (all of them without a source; with one, the open and cached blocks).
    public var heldEvents: Int {
        open.events.count + heldBlocks.reduce(0) { $0 + $1.events.count }
            + cache.reduce(0) { $0 + $1.block.events.count }
    }

    /// The time of the latest event (0 when empty).
    public var duration: Double { open.times.last ?? blockEnds.last ?? 0 }

    /// Appends events (in log order), folding them into `tail` and taking snapshots on the way.
    public func append(contentsOf batch: some Sequence<RunEvent>) {
        for event in batch {
            open.times.append(max(duration, event.time))
            open.events.append(event)
            count += 1
            tail.apply(event)
            if open.events.count == blockSize { closeBlock() }
            if count % snapshotInterval == 0 {
                if let last = snapshots.last { snapshotBytes += last.bytesNotShared(with: tail) }
                snapshots.append(tail)
                if snapshots.count > maxSnapshots || (snapshotBytes > snapshotBudget && snapshots.count > minSnapshots)
                {
                    thin()
                }
            }
        }
    }

    /// The open block is full: held, or handed to the cache (the source can give it again).
    private func closeBlock() {
        blockEnds.append(open.times.last ?? 0)
        if source == nil {
            heldBlocks.append(open)
        } else {
            remember(blockEnds.count - 1, open)
        }
        open = Block(events: [], times: [])
        open.events.reserveCapacity(blockSize)
    }

    /// Keeps every other snapshot (those at multiples of the doubled interval).
    private func thin() {
        snapshots = stride(from: 0, to: snapshots.count, by: 2).map { snapshots[$0] }
        snapshotInterval *= 2
        snapshotBytes = snapshots.indices.dropLast().reduce(0) { sum, k in
            sum + snapshots[k].bytesNotShared(with: snapshots[k + 1])
        }
    }

    private func remember(_ index: Int, _ block: Block) {
        cache.removeAll { $0.index == index }
        cache.append((index, block))
        if cache.count > cachedBlocks { cache.removeFirst() }
    }

    /// Block `k` (the open block when `k` is the number of full blocks), or nil when it cannot be read.
    private func block(_ k: Int) -> Block? {
        if k == blockEnds.count { return open }
        guard k >= 0, k < blockEnds.count else { return nil }
        guard let source else { return heldBlocks[k] }
        if let i = cache.lastIndex(where: { $0.index == k }) {
            let hit = cache[i]
            if i != cache.count - 1 {
                cache.remove(at: i)
                cache.append(hit)
            }
            return hit.block
        }
        let first = k * blockSize
        let events: [RunEvent]
        do {
            events = try source.events(first..<(first + blockSize))
        } catch {
            readFailure = "\(error)"
            return nil
        }
        guard events.count == blockSize else {
            readFailure = "the log gave \(events.count) events where \(blockSize) were read before"
            return nil
        }
        blocksRead += 1
        var times: [Double] = []
        times.reserveCapacity(blockSize)
        var t = k == 0 ? 0 : blockEnds[k - 1]
        for e in events {
            t = max(t, e.time)
            times.append(t)
        }
        let block = Block(events: events, times: times)
        remember(k, block)
        return block
    }

    /// Event `i` (0 ..< count), or nil when its block cannot be read.
    public func event(at i: Int) -> RunEvent? {
        guard i >= 0, i < count, let b = block(i / blockSize) else { return nil }
        return b.events[i % blockSize]
    }

    /// The replay clock at `position` (events applied): the latest time among them, 0 before any.
    public func time(at position: Int) -> Double {
        let p = min(max(0, position), count)
        guard p > 0 else { return 0 }
        let i = p - 1
        let k = i / blockSize
        // The last event of a full block needs no read.
        if i % blockSize == blockSize - 1, k < blockEnds.count { return blockEnds[k] }
        guard let b = block(k) else { return k > 0 ? blockEnds[k - 1] : 0 }
        return b.times[i % blockSize]
    }

    /// The number of events whose running time is at or before `time` (the position a clock reading shows).
    public func position(atTime time: Double) -> Int {
        count(where: { $0 <= time })
    }

    /// The number of events whose running time is below `time`.
    func position(before time: Double) -> Int {
        count(where: { $0 < time })
    }

    /// The length of the prefix of events whose running times satisfy `isBefore` (monotone: true, then false).
    private func count(where isBefore: (Double) -> Bool) -> Int {
        // The first full block whose end is not before: the answer lies in it (or in the open block).
        var lo = 0
        var hi = blockEnds.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isBefore(blockEnds[mid]) { lo = mid + 1 } else { hi = mid }
        }
        let k = lo
        guard let b = block(k) else { return k * blockSize }
        var l = 0
        var h = b.times.count
        while l < h {
            let mid = (l + h) / 2
            if isBefore(b.times[mid]) { l = mid + 1 } else { h = mid }
        }
        return k * blockSize + l
    }

    /// The model after the first `position` events: the nearest snapshot at or before it folded forward,
    /// or `current` folded forward when that is closer (pass the model shown now and its position). When
    /// a block cannot be read again, the model stops before it (`readFailure` says why).
    public func model(at position: Int, from current: (position: Int, model: DashboardModel)? = nil)
        -> DashboardModel
    {
        let p = min(max(0, position), count)
        if p == count { return tail }
        let k = min(p / snapshotInterval, snapshots.count - 1)
        var start = k * snapshotInterval
        var model = snapshots[k]
        if let current, current.position <= p, current.position > start {
            start = current.position
            model = current.model
        }
        fold(&model, from: start, to: p)
        return model
    }

    /// The position of the latest snapshot at or before `position`.
    public func snapshotPosition(before position: Int) -> Int {
        min(max(0, position) / snapshotInterval, snapshots.count - 1) * snapshotInterval
    }

    /// Applies events `from ..< to` to `model`, block by block; returns how many were applied.
    @discardableResult
    public func fold(_ model: inout DashboardModel, from: Int, to: Int) -> Int {
        var i = max(0, from)
        let end = min(to, count)
        while i < end {
            let k = i / blockSize
            guard let b = block(k) else { break }
            let upTo = min(end, (k + 1) * blockSize)
            for j in (i - k * blockSize)..<(upTo - k * blockSize) { model.apply(b.events[j]) }
            i = upTo
        }
        return i - max(0, from)
    }

    /// The most events `nextDecision` and `previousDecision` read past the decisions the model recorded.
    static let decisionScanLimit = 1 << 20

    /// The position just after the next decision about `trial` after `position`, if any.
    public func nextDecision(about trial: TrialID, after position: Int) -> Int? {
        var i = max(0, position)
        if let times = knownDecisionTimes(trial) {
            // A decision at time T is no earlier than the first event whose running time reaches T.
            let from = time(at: i)
            guard let t = times.first(where: { $0 >= from }) else { return nil }
            i = max(i, self.position(before: t))
        }
        return laterDecisionScan(trial, from: i)
    }

    private func laterDecisionScan(_ trial: TrialID, from start: Int) -> Int? {
        var i = start
        let limit = min(count, start + Self.decisionScanLimit)
        while i < limit {
            guard let e = event(at: i) else { return nil }
            if case .decision(let d) = e.body, d.trial == trial { return i + 1 }
            i += 1
        }
        return nil
    }

    /// The position just after the latest decision about `trial` before the last event applied at
    /// `position` (so that, standing on a decision, this goes to the one before it).
    public func previousDecision(about trial: TrialID, before position: Int) -> Int? {
        var i = min(position, count) - 2
        var floor = max(0, i - Self.decisionScanLimit)
        if let times = knownDecisionTimes(trial) {
            // The one wanted is among the latest two at or before the clock (standing on a decision, the
            // latest is the one applied last), and no earlier than the first event whose running time
            // reaches its time.
            let now = time(at: position)
            let before = times.filter { $0 <= now }
            guard !before.isEmpty else { return nil }
            floor = max(floor, self.position(before: before[max(0, before.count - 2)]))
        }
        while i >= floor {
            guard let e = event(at: i) else { return nil }
            if case .decision(let d) = e.body, d.trial == trial { return i + 1 }
            i -= 1
        }
        return nil
    }

    /// The times of every decision about `trial` in the whole log, oldest first, when the model recorded
    /// them all (it keeps at most `TrialRecord.decisionCapacity`); nil when it did not.
    private func knownDecisionTimes(_ trial: TrialID) -> [Double]? {
        guard source != nil else { return nil }  // everything held: a scan is cheap
        guard let record = tail.trial(trial) else { return [] }
        guard record.decisionCount < TrialRecord.decisionCapacity else { return nil }
        return tail.decisionTimes(of: record)
    }
}
