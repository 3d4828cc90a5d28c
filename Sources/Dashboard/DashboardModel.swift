import ASHA
import RunLog
import TextSafety

/// The dashboard's picture of a run: a fold over its events (`apply`). It keeps aggregates per
/// rung, worker and status, so drawing a frame costs what the screen shows, not what the run holds.
public struct DashboardModel: Sendable {
    /// The most messages kept.
    public static let messageCapacity = 200
    /// The most points of the best-so-far series kept (older points are thinned).
    public static let bestSeriesCapacity = 2048
    /// The most worker slots, brackets and rungs per bracket shown; events beyond them (a corrupt
    /// log) are counted per trial but not drawn, so they cannot exhaust memory.
    public static let maxWorkers = 4096
    public static let maxBrackets = 64
    public static let maxRungs = 64
    /// Width in event-time seconds of the window that measures reports per second.
    public static let reportWindow = 5.0

    /// The run's state: the one fold of its events, shared with the tuner, `export` and the summaries
    /// (trials' statuses, workers, counters, the end). The rest of this model is what only a screen
    /// needs beside it: sanitized names, rung occupancy, curves, decisions, messages.
    public internal(set) var run = RunState()
    /// The run's description, once `runStarted` arrived.
    public var info: RunInfo? { run.info }
    /// Sanitized run name, objective, metric name and parameter names.
    public internal(set) var runName = ""
    /// Sanitized objective name.
    public internal(set) var objective = ""
    /// Sanitized metric name.
    public internal(set) var metricName = "metric"
    /// Sanitized hyperparameter names, in search-space order.
    public internal(set) var parameterNames: [String] = []
    /// Time of the latest event (seconds since the run started).
    public var elapsed: Double { run.time }
    /// Events folded so far.
    public var eventCount: Int { run.events }
    /// True while the whole run is paused.
    public var runPaused: Bool { run.runPaused }
    /// Why the run ended, once it did (sanitized).
    public var endedReason: String? { run.endReason.map { Sanitizer.clean($0.text, maxColumns: 80) } }
    /// Worker slots the run wants now.
    public var workerCount: Int { run.workerLimit }
    /// Worker slots (may exceed `workerCount` while retired slots finish their jobs).
    public internal(set) var workers: [WorkerSlot] = []
    /// Rung occupancy: `rungs[bracket][rung]`.
    public internal(set) var rungs: [[RungStats]] = []
    /// Every trial, in the order first seen. Chunked, so that copies of the model (a replay's snapshots)
    /// share the trials that did not change.
    public internal(set) var trials = ChunkedArray<TrialRecord>()
    /// The stamp at which each trial's sortable fields last changed (parallel to `trials`; kept apart
    /// so the trials list can scan for changes through 8 bytes a trial).
    var trialStamps = ChunkedArray<Int>()
    /// Positions in `trials` of the trials whose position is not their id (ids are dense in a log read
    /// from its start, so this stays empty unless the model started mid-run or the log is odd).
    var sparseIndex: [TrialID: Int] = [:]
    /// Every trial's learning-curve points, appended as reported (each trial links its own; points a
    /// trial thinned away stay behind, at most as many as it keeps).
    var curveNodes = ChunkedArray<CurveNode>()
    /// Every trial's decisions, appended as taken (each trial links its own, newest first).
    var decisionNodes = ChunkedArray<DecisionNode>()
    /// Where each trial's latest cluster job ran (or runs), sanitized: only trials a cluster placed.
    var placementsByTrial: [TrialID: JobPlacement] = [:]
    /// Trials per status (indexed by `TrialStatus.order`).
    var counts = Array(repeating: 0, count: TrialStatus.allCases.count)
    /// The best value so far.
    public internal(set) var best: BestRecord?
    /// Best-so-far values over event time.
    public internal(set) var bestSeries: [BestPoint] = []
    /// Messages, oldest first (see `recentMessages`).
    var messageLog: [Message] = []
    /// Resource units trained so far, across all trials.
    public var totalResource: Int { run.totalResource }
    /// The model-based sampler's latest model (rung resource, results), from the latest `sampled` event
    /// that came from a model.
    public internal(set) var samplerModel: (resource: Int, observations: Int)?
    /// Event times of recent metric reports (from `reportHead` on).
    var reportTimes: [Double] = []
    var reportHead = 0
    /// Incremented by every event; trials remember it when a sortable field changes.
    public internal(set) var stamp = 0
    /// The stamp of the latest change to any trial's sortable fields.
    public internal(set) var trialsChanged = 0

    /// Identifies this model's history: copies share it, a new model gets a new one (so a trials list
    /// synced with one model rebuilds itself when shown another).
    public let lineage = UInt64.random(in: 1...UInt64.max)

    /// An empty model.
    public init() {}

    /// A model folded from `events`.
    public init(events: some Sequence<RunEvent>) {
        for e in events { apply(e) }
    }

    /// How many trials have `status`.
    public func count(_ status: TrialStatus) -> Int { counts[status.order] }

    /// The trial with `id`, if seen.
    public func trial(_ id: TrialID) -> TrialRecord? {
        guard let i = position(of: id) else { return nil }
        return trials[i]
    }

    /// The position of trial `id` in `trials`, if seen.
    @inline(__always)
    func position(of id: TrialID) -> Int? {
        if id >= 0, id < trials.count, trials[id].id == id { return id }
        return sparseIndex[id]
    }

    /// The trial's learning curve, oldest point first.
    public func curve(of t: TrialRecord) -> [CurvePoint] {
        var points: [CurvePoint] = []
        points.reserveCapacity(Int(t.curveCount))
        var k = Int(t.curveHead)
        while k >= 0, points.count < Int(t.curveCount) {
            let node = curveNodes[k]
            points.append(node.point)
            k = Int(node.previous)
        }
        return points.reversed()
    }

    /// The decisions about the trial kept (the latest `TrialRecord.decisionCapacity`), oldest first,
    /// with the event times they were taken at.
    public func decisionHistory(of t: TrialRecord) -> [(decision: Decision, time: Double)] {
        var out: [(decision: Decision, time: Double)] = []
        out.reserveCapacity(Int(t.decisionCount))
        var k = Int(t.decisionHead)
        while k >= 0, out.count < Int(t.decisionCount) {
            let node = decisionNodes[k]
            out.append((node.decision(trial: t.id), node.time))
            k = Int(node.previous)
        }
        return out.reversed()
    }

    /// The decisions about the trial kept, oldest first.
    public func decisions(of t: TrialRecord) -> [Decision] { decisionHistory(of: t).map(\.decision) }

    /// The event times of `decisions(of:)`, in the same order.
    public func decisionTimes(of t: TrialRecord) -> [Double] { decisionHistory(of: t).map(\.time) }

    /// The latest decision about the trial that satisfies `isWanted`, newest first (no array built).
    func lastDecision(of t: TrialRecord, where isWanted: (Decision) -> Bool) -> Decision? {
        var k = Int(t.decisionHead)
        var seen = 0
        while k >= 0, seen < Int(t.decisionCount) {
            let d = decisionNodes[k].decision(trial: t.id)
            if isWanted(d) { return d }
            k = Int(decisionNodes[k].previous)
            seen += 1
        }
        return nil
    }

    /// Where the trial's latest cluster job ran (or runs), sanitized; nil for local processes.
    public func placement(of t: TrialRecord) -> JobPlacement? { placementsByTrial[t.id] }

    /// True once the run has ended.
    public var isEnded: Bool { run.isEnded }

    /// The sampler for the header (`tpe r=27 n=45`), or nil with the random sampler.
    public var samplerLabel: String? {
        guard case .tpe? = info?.settings.sampler else { return nil }
        guard let m = samplerModel else { return "tpe: no model yet" }
        return "tpe r=\(m.resource) n=\(m.observations)"
    }

    /// The goal of the metric (minimize when unknown).
    public var goal: Goal { info?.goal ?? .minimize }

    /// Busy worker slots.
    public var busyWorkers: Int { workers.reduce(0) { $0 + ($1.isBusy ? 1 : 0) } }

    /// Busy slots above the worker count: after a `-` they finish their jobs and take no new ones.
    public var retiringWorkers: Int { workers.indices.filter { $0 >= workerCount && workers[$0].isBusy }.count }

    /// Metric reports per second over the last `reportWindow` seconds of event time.
    public var reportsPerSecond: Double { reportsPerSecond(at: elapsed) }

    /// Metric reports per second over the `reportWindow` seconds before `now` (the run's clock, at or
    /// after the last event): a run that has stopped reporting falls to 0 rather than keep its last rate.
    public func reportsPerSecond(at now: Double) -> Double {
        // An ended run reports nothing more: its rate is the average over its active time.
        if isEnded {
            let active = run.activeSeconds(at: elapsed)
            return active > 0 ? Double(run.reports) / active : 0
        }
        let now = max(now, elapsed)
        // Times from `reportHead` on are sorted and within the window of the last event; drop those
        // older than the window of `now` (a binary search: the window may hold many reports).
        let horizon = now - Self.reportWindow
        var low = reportHead
        var high = reportTimes.count
        while low < high {
            let mid = (low + high) / 2
            if reportTimes[mid] < horizon { low = mid + 1 } else { high = mid }
        }
        let n = reportTimes.count - low
        guard n > 0, now > 0 else { return 0 }
        return Double(n) / min(Self.reportWindow, now)
    }

    /// Up to `limit` messages, newest first.
    public func recentMessages(_ limit: Int) -> ArraySlice<Message> {
        let n = min(limit, messageLog.count)
        return ArraySlice(messageLog.suffix(n).reversed())
    }

    /// Messages kept.
    public var messageCount: Int { min(messageLog.count, Self.messageCapacity) }

    /// A running trial to select first (the one on the lowest busy worker slot).
    public var firstRunningTrial: TrialID? { workers.first { $0.isBusy }?.trial }

    /// The fraction of the budget used, with what it measures, or nil when the run has no budget.
    public var budgetUsed: (fraction: Double, label: String)? {
        var result: (Double, String)?
        func consider(_ f: Double, _ label: String) {
            if result == nil || f > result!.0 { result = (f, label) }
        }
        if let maxTrials = info?.settings.maxTrials, maxTrials > 0 {
            consider(Double(trials.count) / Double(maxTrials), "trials \(trials.count)/\(maxTrials)")
        }
        if let maxTotal = info?.settings.maxTotalResource, maxTotal > 0 {
            consider(Double(totalResource) / Double(maxTotal), "resource \(totalResource)/\(maxTotal)")
        }
        if let maxSeconds = info?.maxSeconds, maxSeconds > 0 {
            // The time budget counts the run's time outside its pauses.
            let active = run.activeSeconds(at: elapsed)
            consider(active / maxSeconds, "time \(formatDuration(active))/\(formatDuration(maxSeconds))")
        }
        return result.map { (min(1, $0.0), $0.1) }
    }

    // MARK: - Helpers used by the reducer

    /// The index of `id` in `trials`, creating a record for a trial first seen mid-run.
    mutating func slot(of id: TrialID, bracket: Int = 0) -> Int {
        if let i = position(of: id) { return i }
        let record = TrialRecord(id: id, bracket: bracket, config: Configuration([]))
        trials.append(record)
        trialStamps.append(stamp)
        if id != trials.count - 1 { sparseIndex[id] = trials.count - 1 }
        counts[record.status.order] += 1
        trialsChanged = stamp
        return trials.count - 1
    }

    /// Shows the trial's status as the run's state has it (a trial first seen mid-run keeps its own).
    mutating func syncStatus(_ i: Int) {
        guard let status = run.trial(trials[i].id)?.status else { return }
        let old = trials[i].status
        guard old != status else { return }
        counts[old.order] -= 1
        counts[status.order] += 1
        trials[i].status = status
        touch(i)
    }

    mutating func touch(_ i: Int) {
        trialStamps[i] = stamp
        trialsChanged = stamp
    }

    /// True when rung `rung` of bracket `bracket` is within the shown bounds.
    static func isShown(_ bracket: Int, _ rung: Int) -> Bool {
        (0..<maxBrackets).contains(bracket) && (0..<maxRungs).contains(rung)
    }

    mutating func ensureRung(_ bracket: Int, _ rung: Int, resource: Int? = nil) {
        guard Self.isShown(bracket, rung) else { return }
        while rungs.count <= bracket { rungs.append([]) }
        while rungs[bracket].count <= rung { rungs[bracket].append(RungStats(resource: 0)) }
        if let resource { rungs[bracket][rung].resource = resource }
    }

    /// Moves the trial's running job to train towards `rung` (nil: no job).
    mutating func setTowards(_ i: Int, _ rung: Int?) {
        let b = trials[i].bracket
        if let old = trials[i].towardsRung, b >= 0, b < rungs.count, old < rungs[b].count {
            rungs[b][old].running -= 1
        }
        trials[i].towardsRung = nil
        if let rung, Self.isShown(b, rung) {
            ensureRung(b, rung)
            rungs[b][rung].running += 1
            trials[i].towardsRung = rung
        }
    }

    /// Clears the rung where the trial waits to be promoted.
    mutating func clearWaiting(_ i: Int) {
        let b = trials[i].bracket
        if let w = trials[i].waitingAt, b >= 0, b < rungs.count, w < rungs[b].count { rungs[b][w].waiting -= 1 }
        trials[i].waitingAt = nil
    }

    /// The most entries the curve and decision tables hold (their links are 32-bit); past it, points
    /// and decisions are no longer recorded.
    static let maxNodes = Int(Int32.max)

    /// Appends a point to trial `i`'s curve; past `TrialRecord.curveCapacity` the curve is thinned first
    /// (the first point kept, then every other one), so it stays bounded and keeps its shape.
    mutating func addPoint(_ i: Int, _ p: CurvePoint) {
        if trials[i].curveCount >= TrialRecord.curveCapacity {
            let old = curve(of: trials[i])
            trials[i].curveHead = -1
            trials[i].curveCount = 0
            appendPoint(i, old[0])
            var k = 2
            while k < old.count {
                appendPoint(i, old[k])
                k += 2
            }
        }
        appendPoint(i, p)
    }

    private mutating func appendPoint(_ i: Int, _ p: CurvePoint) {
        guard curveNodes.count < Self.maxNodes else { return }
        curveNodes.append(CurveNode(p, previous: trials[i].curveHead))
        trials[i].curveHead = Int32(curveNodes.count - 1)
        trials[i].curveCount += 1
    }

    /// Records a decision about trial `i` (the latest `TrialRecord.decisionCapacity` are kept).
    mutating func addDecision(_ i: Int, _ d: Decision, time: Double) {
        guard decisionNodes.count < Self.maxNodes else { return }
        decisionNodes.append(DecisionNode(d, time: time, previous: trials[i].decisionHead))
        trials[i].decisionHead = Int32(decisionNodes.count - 1)
        trials[i].decisionCount = min(trials[i].decisionCount + 1, Int32(TrialRecord.decisionCapacity))
    }

    mutating func log(_ time: Double, _ text: String, _ role: StyleRole) {
        messageLog.append(Message(time: time, text: text, role: role))
        if messageLog.count > 2 * Self.messageCapacity {
            messageLog.removeFirst(messageLog.count - Self.messageCapacity)
        }
    }

    mutating func noteReport(at time: Double) {
        reportTimes.append(time)
        let horizon = time - Self.reportWindow
        while reportHead < reportTimes.count, reportTimes[reportHead] < horizon { reportHead += 1 }
        // Trimmed early: every replay snapshot holds its own copy of the array, stale times included.
        if reportHead > 256, reportHead * 2 > reportTimes.count {
            reportTimes.removeFirst(reportHead)
            reportHead = 0
        }
    }
}

/// Formats seconds as "42.0s", "12:03" or "1:02:03".
public func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0, seconds < 1e12 else { return "-" }
    if seconds < 60 { return String(format: "%.1fs", seconds) }
    let s = Int(seconds)
    if s < 3600 { return String(format: "%d:%02d", s / 60, s % 60) }
    return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
}
