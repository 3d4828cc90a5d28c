import ASHA
import RunLog

/// What the trials list is ordered by: a fixed column or a hyperparameter's column.
public enum SortKey: Hashable, Sendable {
    case status
    /// The metric, like with like: the highest rung reached first, then the value recorded there.
    case metric
    case rung
    case id
    /// The hyperparameter at this position of the search space.
    case parameter(Int)

    /// The fixed columns, in the order `s` cycles through them (the hyperparameters follow).
    public static let allCases: [SortKey] = [.status, .metric, .rung, .id]

    /// Every sort key of a run with `parameters` hyperparameters, in cycling order.
    public static func all(parameters: Int) -> [SortKey] {
        allCases + (0..<max(0, parameters)).map { .parameter($0) }
    }

    /// The column name shown in the list's title.
    public func name(parameters: [String]) -> String {
        switch self {
        case .status: return "status"
        case .metric: return "metric"
        case .rung: return "rung"
        case .id: return "id"
        case .parameter(let i): return i < parameters.count ? parameters[i] : "parameter \(i)"
        }
    }

    /// The direction a key starts with: running first, best metric first, highest rung first, oldest
    /// first, smallest hyperparameter first.
    public func naturalAscending(goal: Goal) -> Bool {
        switch self {
        case .status, .id, .parameter: return true
        case .metric: return goal == .minimize
        case .rung: return false
        }
    }
}

/// The trials list as shown: the model's trials filtered and sorted. `sync` keeps it current at a
/// cost of one pass over the trials plus placing only the trials that changed since the last sync;
/// a filter change filters the kept order and never sorts. The order is made where it is read
/// (`Rows`): `settle` puts the rows about to be shown in their places, and a far seek that changes
/// most rows costs a partition towards the page shown, not a sort of every row.
public struct TrialList: Sendable {
    /// One row's sort key. Rows compare by `k1`, then `k2`, then trial id.
    struct Entry: Sendable, Comparable {
        var k1: Double
        var k2: Double
        var id: Int
        var pos: Int

        @inline(__always)
        static func < (a: Entry, b: Entry) -> Bool {
            if a.k1 != b.k1 { return a.k1 < b.k1 }
            if a.k2 != b.k2 { return a.k2 < b.k2 }
            return a.id < b.id
        }
    }

    /// Every trial in list order, unfiltered.
    private var all = Rows()
    /// The rows shown when a filter is set (`all` filtered, in order); nil without one.
    private var filtered: Rows?
    private var syncedStamp = -1
    private var syncedLineage: UInt64 = 0
    private var syncedTrials = 0
    /// The model's stamps at the last sync (shared chunks: unchanged trials since).
    private var syncedStamps = ChunkedArray<Int>()
    private static let shift = ChunkedArray<Int>.chunkShift
    private var builtKey: SortKey?
    private var builtAscending = true
    private var builtFilter = TrialFilter(terms: [], source: "")
    /// Times the list was built again from every trial (a new order or another model; for tests and
    /// benchmarks).
    public private(set) var fullSorts = 0

    /// Segments of at most this many rows are sorted whole when read (see `Rows`).
    let leafSize: Int
    /// Changed rows up to this many (or a 32nd of the kept rows) are sorted and merged at once; more
    /// are added unsorted.
    let mergeLimit: Int

    /// An empty table.
    public init() { self.init(leafSize: 1024, mergeLimit: 4096) }

    /// An empty table with other thresholds (tests: short lists that take the paths of long ones).
    init(leafSize: Int, mergeLimit: Int) {
        self.leafSize = leafSize
        self.mergeLimit = mergeLimit
        all = Rows(leafSize: leafSize)
    }

    /// The rows shown.
    private var shown: Rows { filtered ?? all }

    /// Rows in the list.
    public var count: Int { shown.count }

    /// The trial id of row `row` (rows `settle` did not place cost a pass over their segment).
    public func id(at row: Int) -> TrialID { shown.element(at: row).id }

    /// The position of row `row` in `model.trials`.
    public func position(at row: Int) -> Int { shown.element(at: row).pos }

    /// The row showing trial `id`, if it is in the list.
    public func row(of id: TrialID) -> Int? {
        let rows = shown
        return rows.rows.firstIndex { $0.id == id }.map { rows.rank(ofIndex: $0) }
    }

    /// The trial ids in list order.
    public var ids: [TrialID] { shown.inOrder.map(\.id) }

    /// True when row `row` is in its place, so `id(at:)` reads it directly.
    public func isSettled(_ row: Int) -> Bool { row >= 0 && row < count && shown.isPlaced(row) }

    /// Puts the rows of `range` (clamped to the list) in their places.
    public mutating func settle(_ range: Range<Int>) {
        if filtered != nil { filtered!.sort(range) } else { all.sort(range) }
    }

    /// Finds trial `id`, puts its row in its place and returns the row, if it is in the list.
    public mutating func locate(_ id: TrialID) -> Int? {
        guard let p = shown.rows.firstIndex(where: { $0.id == id }) else { return nil }
        if filtered != nil { return filtered!.place(index: p) }
        return all.place(index: p)
    }

    /// Brings the list up to date with `model` for the given order and filter text.
    ///
    /// Every trial is kept in `all`, unfiltered; the shown rows are `all` filtered in order. A filter
    /// change therefore never sorts: it costs one pass of `matches` over the trials, or over the rows
    /// shown when the new filter only adds terms to the old one (all terms must hold, so it can only
    /// narrow).
    public mutating func sync(with model: DashboardModel, key: SortKey, ascending: Bool, filter: TrialFilter) {
        let needle = filter
        let goal = model.goal
        var rebuilt = false
        var changedRows = false
        if key != builtKey || ascending != builtAscending || model.lineage != syncedLineage {
            filtered = nil
            var rows: [Entry] = []
            rows.reserveCapacity(model.trials.count)
            model.trials.withChunks { first, trials in
                for j in trials.indices {
                    rows.append(
                        Self.entry(trials.baseAddress! + j, first + j, key: key, ascending: ascending, goal: goal))
                }
            }
            all = Rows(unsorted: rows, leafSize: leafSize)
            fullSorts += 1
            rebuilt = true
        } else if model.trials.count != syncedTrials
            || (model.stamp != syncedStamp && (model.stamp < syncedStamp || model.trialsChanged > syncedStamp))
        {
            // The same history at another point (later as a run goes on, earlier or later after a replay
            // seeks): a trial whose sortable fields last changed at the same event is the same row. The
            // stamps' chunks that both share hold no change, so only the others are compared.
            changedRows = true
            let old = syncedStamps
            let stamps = model.trialStamps
            let common = min(syncedTrials, model.trials.count)
            let chunkChanged = (0..<stamps.chunkCount).map { !stamps.sharesChunk($0, with: old) }
            let shift = Self.shift
            // One flag a position, set from the changed chunks only: the passes over every row below then
            // cost an array read each.
            var mask = [Bool](repeating: false, count: max(syncedTrials, model.trials.count))
            var marked = mask.count - common
            for k in chunkChanged.indices where chunkChanged[k] && k << shift < common {
                for pos in (k << shift)..<min(common, (k + 1) << shift) where stamps[pos] != old[pos] {
                    mask[pos] = true
                    marked += 1
                }
            }
            for pos in common..<mask.count { mask[pos] = true }
            // Read-only from here (a variable captured by the closures below is checked at every access).
            let changed = mask
            // Rows to make again: the changed trials that are still there.
            let freshCount = marked - max(0, syncedTrials - model.trials.count)
            func build(into rows: inout [Entry]) {
                model.trials.withChunks { first, trials in
                    guard first + trials.count > common || chunkChanged[first >> shift] else { return }
                    for j in trials.indices where changed[first + j] {
                        rows.append(
                            Self.entry(trials.baseAddress! + j, first + j, key: key, ascending: ascending, goal: goal))
                    }
                }
            }
            let isChanged = { (e: Entry) in changed[e.pos] }
            all.removeAll(where: isChanged)
            let kept = all.count
            // The shown rows follow when the filter is the same (else they are filtered again below).
            let keepFiltered = filtered != nil && !needle.isEmpty && needle == builtFilter
            if keepFiltered { filtered!.removeAll(where: isChanged) }
            // Which changed rows the filter lets through, asked in trial order (the records' memory order).
            func passing(_ rows: ArraySlice<Entry>) -> [Entry] {
                rows.filter { model.trials.withElement(at: $0.pos, needle.matches) }
            }
            if freshCount <= max(mergeLimit, kept / 32) {
                // A few changed rows (a live run, a near seek): sorted and merged into the kept order.
                var fresh: [Entry] = []
                fresh.reserveCapacity(freshCount)
                build(into: &fresh)
                if keepFiltered {
                    var shown = passing(fresh[...])
                    Self.sortEntries(&shown)
                    filtered!.insert(sorted: shown)
                }
                Self.sortEntries(&fresh)
                all.insert(sorted: fresh)
            } else {
                // Most of the list (a far seek): added unsorted, in place, and put in order where read.
                all.insert { rows in
                    rows.reserveCapacity(kept + freshCount)
                    build(into: &rows)
                }
                if keepFiltered { filtered!.insert(unsorted: passing(all.rows[kept...])) }
            }
        }
        // Filter again for a new filter, or when the shown rows were not kept up to date above.
        let stale = !needle.isEmpty && (rebuilt || filtered == nil)
        if needle != builtFilter || stale {
            if needle.isEmpty {
                filtered = nil
            } else {
                let narrower =
                    !rebuilt && !changedRows && filtered != nil && !builtFilter.isEmpty
                    && needle.narrows(builtFilter)
                let source = narrower ? filtered! : all
                let (passes, count) = Self.matching(model, needle, among: narrower ? source : nil)
                filtered = source.filter(reserving: count) { passes[$0.pos] }
            }
        }
        builtKey = key
        builtAscending = ascending
        builtFilter = needle
        syncedStamp = model.stamp
        syncedLineage = model.lineage
        syncedTrials = model.trials.count
        syncedStamps = model.trialStamps
    }

    /// Which trials pass `filter` (by position), among `rows` when given, and how many: asked in trial
    /// order, so the records (and their configurations) are read in the order they sit in memory, not in
    /// list order (at 650,000 trials, list order missed the cache for most of them).
    static func matching(_ model: DashboardModel, _ filter: TrialFilter, among rows: Rows?) -> ([Bool], Int) {
        let n = model.trials.count
        let candidates = rows.map { rows in
            var c = [Bool](repeating: false, count: n)
            for e in rows.rows { c[e.pos] = true }
            return c
        }
        var passes = [Bool](repeating: false, count: n)
        var count = 0
        passes.withUnsafeMutableBufferPointer { passes in
            model.trials.withChunks { first, trials in
                for j in trials.indices where candidates?[first + j] ?? true && filter.matches(trials.baseAddress! + j)
                {
                    passes[first + j] = true
                    count += 1
                }
            }
        }
        return (passes, count)
    }

    /// Whether the trial at `pos` passes the filter.
    @inline(__always)
    static func matches(_ trial: UnsafePointer<TrialRecord>, _ filter: TrialFilter) -> Bool {
        filter.isEmpty || filter.matches(trial)
    }

    private static func entry(
        _ trial: UnsafePointer<TrialRecord>, _ pos: Int, key: SortKey, ascending: Bool, goal: Goal
    ) -> Entry {
        let sign = ascending ? 1.0 : -1.0
        let id = trial.pointee.id
        // Missing and non-finite metrics sort last in either direction.
        var metric = Double.infinity
        var better = Double.infinity
        if let m = trial.pointee.lastMetric, m.isFinite {
            metric = sign * m
            better = goal == .minimize ? m : -m
        }
        switch key {
        case .status: return Entry(k1: sign * Double(trial.pointee.status.order), k2: better, id: id, pos: pos)
        case .metric:
            // Like with like: the value at the highest rung, trials at higher rungs first (in the
            // natural direction, best first); trials with no rung value last in either direction.
            guard let rung = trial.pointee.highestRung, let v = trial.pointee.rungValue, v.isFinite else {
                return Entry(k1: .infinity, k2: metric, id: id, pos: pos)
            }
            let natural = ascending == (goal == .minimize)
            let b = goal == .minimize ? v : -v
            return Entry(k1: natural ? -Double(rung) : Double(rung), k2: natural ? b : -b, id: id, pos: pos)
        case .rung: return Entry(k1: sign * Double(trial.pointee.highestRung ?? -1), k2: better, id: id, pos: pos)
        case .id: return Entry(k1: sign * Double(id), k2: 0, id: id, pos: pos)
        case .parameter(let i):
            let config = trial.pointee.storedConfig
            guard i < config.count else { return Entry(k1: .infinity, k2: 0, id: id, pos: pos) }
            return Entry(k1: sign * Self.sortValue(config.value(at: i)), k2: 0, id: id, pos: pos)
        }
    }

    /// A hyperparameter value as a number to sort by: numbers as they are, strings by their first
    /// six bytes (ties fall back to the trial id).
    static func sortValue(_ v: ParameterValue) -> Double {
        if let d = v.doubleValue { return d.isNaN ? .infinity : d }
        guard case .string(let s) = v else { return 0 }
        var key: UInt64 = 0
        var n = 0
        for byte in s.utf8.prefix(6) {
            key = key << 8 | UInt64(byte)
            n += 1
        }
        key <<= UInt64(8 * (6 - n))
        return Double(key)
    }
}
