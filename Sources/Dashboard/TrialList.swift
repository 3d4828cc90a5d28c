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
/// cost of one pass over the trials plus sorting only the trials that changed since the last sync;
/// a filter change filters the kept order and never sorts.
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

    private(set) var entries: [Entry] = []
    /// Every trial in list order, unfiltered.
    private var all: [Entry] = []
    private var syncedStamp = -1
    private var syncedLineage: UInt64 = 0
    private var syncedTrials = 0
    /// The model's stamps at the last sync (shared chunks: unchanged trials since).
    private var syncedStamps = ChunkedArray<Int>()
    private static let shift = ChunkedArray<Int>.chunkShift
    private var builtKey: SortKey?
    private var builtAscending = true
    private var builtFilter = TrialFilter(terms: [], source: "")
    /// Full sorts done (for tests and benchmarks).
    public private(set) var fullSorts = 0

    /// An empty table.
    public init() {}

    /// Rows in the list.
    public var count: Int { entries.count }

    /// The trial id of row `row`.
    public func id(at row: Int) -> TrialID { entries[row].id }

    /// The position of row `row` in `model.trials`.
    public func position(at row: Int) -> Int { entries[row].pos }

    /// The row showing trial `id`, if it is in the list.
    public func row(of id: TrialID) -> Int? { entries.firstIndex { $0.id == id } }

    /// The trial ids in list order.
    public var ids: [TrialID] { entries.map(\.id) }

    /// Brings the list up to date with `model` for the given order and filter text.
    ///
    /// Every trial is kept sorted in `all`, unfiltered; the shown rows are `all` filtered in order.
    /// A filter change therefore never sorts: it costs one pass of `matches` over the trials, or over
    /// the rows shown when the new filter only adds terms to the old one (all terms must hold, so it
    /// can only narrow).
    public mutating func sync(with model: DashboardModel, key: SortKey, ascending: Bool, filter: TrialFilter) {
        let needle = filter
        let goal = model.goal
        var rebuilt = false
        var fresh: [Entry] = []
        var changed: [Bool]?
        // Without a filter the rows shown are `all` itself (one buffer): let go of them first, so that
        // changing `all` does not copy it.
        let willChange =
            key != builtKey || ascending != builtAscending || model.lineage != syncedLineage
            || model.trials.count != syncedTrials
            || (model.stamp != syncedStamp && (model.stamp < syncedStamp || model.trialsChanged > syncedStamp))
        if willChange, builtFilter.isEmpty { entries = [] }
        if key != builtKey || ascending != builtAscending || model.lineage != syncedLineage {
            all.removeAll(keepingCapacity: true)
            all.reserveCapacity(model.trials.count)
            model.trials.withChunks { first, trials in
                for j in trials.indices {
                    all.append(
                        Self.entry(trials.baseAddress! + j, first + j, key: key, ascending: ascending, goal: goal))
                }
            }
            Self.sortEntries(&all)
            fullSorts += 1
            rebuilt = true
        } else if model.trials.count != syncedTrials
            || (model.stamp != syncedStamp && (model.stamp < syncedStamp || model.trialsChanged > syncedStamp))
        {
            // The same history at another point (later as a run goes on, earlier or later after a replay
            // seeks): a trial whose sortable fields last changed at the same event is the same row. The
            // stamps' chunks that both share hold no change, so only the others are compared.
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
            changed = mask
            all.removeAll { mask[$0.pos] }
            // The changed rows are appended to the kept ones, sorted there and merged in place: after a far
            // seek they are most of the list, and a separate array of them (and a merged copy) held
            // 20 MiB each at 650,000 trials.
            let kept = all.count
            all.reserveCapacity(kept + marked)
            model.trials.withChunks { first, trials in
                guard first + trials.count > common || chunkChanged[first >> shift] else { return }
                for j in trials.indices where mask[first + j] {
                    all.append(
                        Self.entry(trials.baseAddress! + j, first + j, key: key, ascending: ascending, goal: goal))
                }
            }
            let keepFiltered = !needle.isEmpty && needle == builtFilter
            all.withUnsafeMutableBufferPointer { rows in
                let tail = UnsafeMutableBufferPointer(rebasing: rows[kept...])
                Self.sortEntries(tail)
                // The changed rows the filter lets through, for the shown rows below.
                if keepFiltered {
                    for e in tail where model.trials.withElement(at: e.pos, needle.matches) { fresh.append(e) }
                }
                Self.mergeRuns(rows, split: kept)
            }
        }
        if rebuilt || needle != builtFilter {
            let narrower =
                !rebuilt && changed == nil && !builtFilter.isEmpty
                && needle.terms.starts(with: builtFilter.terms)
            if needle.isEmpty {
                entries = all
            } else {
                let source = narrower ? entries : all
                var kept: [Entry] = []
                kept.reserveCapacity(source.count)
                for e in source where model.trials.withElement(at: e.pos, needle.matches) { kept.append(e) }
                entries = kept
            }
        } else if let changed {
            if needle.isEmpty {
                entries = all
            } else {
                entries.removeAll { changed[$0.pos] }
                Self.merge(into: &entries, fresh)
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

    /// Merges the sorted runs `rows[..<split]` and `rows[split...]` in place (rows of the first run
    /// first among equal rows), with a copy of the shorter run only.
    static func mergeRuns(_ rows: UnsafeMutableBufferPointer<Entry>, split: Int) {
        guard split > 0, split < rows.count else { return }
        if split <= rows.count - split {
            // From the front: the first run copied out.
            let first = Array(rows[..<split])
            var i = 0
            var j = split
            var k = 0
            while i < first.count {
                if j < rows.count, rows[j] < first[i] {
                    rows[k] = rows[j]
                    j += 1
                } else {
                    rows[k] = first[i]
                    i += 1
                }
                k += 1
            }
        } else {
            // From the back: the second run copied out.
            let second = Array(rows[split...])
            var i = split - 1
            var j = second.count - 1
            var k = rows.count - 1
            while j >= 0 {
                if i >= 0, second[j] < rows[i] {
                    rows[k] = rows[i]
                    i -= 1
                } else {
                    rows[k] = second[j]
                    j -= 1
                }
                k -= 1
            }
        }
    }

    /// Merges sorted `b` into sorted `a` in place (no third array: at 650,000 trials each holds 20 MiB;
    /// equal rows of `a` come first, as before).
    static func merge(into a: inout [Entry], _ b: [Entry]) {
        guard !b.isEmpty else { return }
        let split = a.count
        a.reserveCapacity(a.count + b.count)  // exactly: appending would double a long list's buffer
        a.append(contentsOf: b)
        a.withUnsafeMutableBufferPointer { mergeRuns($0, split: split) }
    }
}
