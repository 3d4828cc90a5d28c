import ASHA

/// A run's state: the one fold of its events.
///
/// Everything that reads a run reads this: the live tuner (which decides, emits an event and applies
/// it here), a resumed tuner (which checks the scheduler's answers against the log and applies the same
/// events), `export`, the headless printer, the summary and the dashboard. It changes only through
/// `apply(_:)` (see `RunState+Apply.swift`), so two views of one log cannot disagree.
public struct RunState: Sendable, Equatable {
    /// What the run knows about one trial. Its optionals are stored without their padding and its
    /// configuration packed (a replay of a 10,000,000-event log holds 650,000 of them).
    public struct Trial: Sendable {
        public let id: TrialID
        public let bracket: Int
        /// Its configuration (packed: see `StoredConfiguration`).
        public var config: Configuration { storedConfig.configuration }
        public let storedConfig: StoredConfiguration
        /// Where it stands (transitions: `TrialStatus.after(_:)`).
        public internal(set) var status: TrialStatus = .queued
        /// A job is owed to it: it was sampled or promoted and has not started yet, or its job was
        /// interrupted (paused mid-way). The scheduler gives that job when it next gets a worker.
        public internal(set) var pendingJob = true
        /// The worker slot running its job, if one does (below `RunState.maxWorkers`).
        public internal(set) var worker: Int? {
            get { storedWorker < 0 ? nil : Int(storedWorker) }
            set { storedWorker = newValue.map { Int16(clamping: $0) } ?? -1 }
        }
        private var storedWorker: Int16 = -1
        private var hasLastValue = false
        /// When its current job started (event time).
        public internal(set) var jobStartedAt = 0.0
        /// The rung and resource its current (or latest) job trains towards.
        public internal(set) var jobRung = 0
        public internal(set) var jobTarget = 0
        /// The highest rung index with a decision about it other than a promotion (-1: none yet), and
        /// that rung's resource (0: none yet).
        public internal(set) var highestRung = -1
        public internal(set) var highestRungResource = 0
        /// The latest metric and the resource it was reported at (the resource trained so far).
        public internal(set) var lastValue: Double? {
            get { hasLastValue ? storedLastValue : nil }
            set {
                storedLastValue = newValue ?? 0
                hasLastValue = newValue != nil
            }
        }
        private var storedLastValue = 0.0
        public internal(set) var lastResource = 0
        /// Why it is where it is, when that needs saying: the stopping decision, the failure, a kill, a pause.
        public internal(set) var reason = ""

        init(id: TrialID, bracket: Int, config: Configuration, previous: StoredConfiguration? = nil) {
            self.id = id
            self.bracket = bracket
            storedConfig = StoredConfiguration(config, sharingNamesWith: previous)
        }
    }

    /// The run's description, once `run_started` was applied.
    public internal(set) var info: RunInfo?
    /// Every trial, by id (ids are dense: trial `t` is `trials[t]`). Chunked, so that copies of the state
    /// (a replay's snapshots) share the trials that did not change.
    public internal(set) var trials = ChunkedArray<Trial>()
    /// The trial each worker slot runs, or nil when the slot is free.
    public internal(set) var slots: [TrialID?] = []
    /// How many slots may run jobs (slots at or above it finish their job and stay empty).
    public internal(set) var workerLimit = 0
    /// Trials resumed (or continued after a restart) that wait for a free worker, oldest first.
    public internal(set) var queued: [TrialID] = []
    public internal(set) var runPaused = false
    /// Seconds the whole run spent paused (`run_paused` to `run_resumed` or the end), not counting a
    /// pause still going on; and when that pause began.
    public internal(set) var pausedSeconds = 0.0
    public internal(set) var pausedSince: Double?
    /// Seconds the run was not paused by time `t` (seconds since the start): what its `seconds`
    /// budget counts, and the elapsed time the dashboard and progress lines show.
    public func activeSeconds(at t: Double) -> Double {
        let open = pausedSince.map { max(0, t - $0) } ?? 0
        return max(0, t - pausedSeconds - open)
    }

    /// Why the run ended, while it is ended (a `run_continued` clears it).
    public internal(set) var endReason: EndReason?
    /// The incumbent: the best value at the highest resource a rung decision has seen.
    public internal(set) var best: RunSummary.Best?
    /// Metric reports, events applied, and the latest event time (seconds since the run started).
    public internal(set) var reports = 0
    public internal(set) var events = 0
    public internal(set) var time = 0.0
    /// Resource units trained across all trials (sum of each trial's latest reported resource).
    public internal(set) var totalResource = 0
    /// Jobs running now.
    public internal(set) var runningJobs = 0
    /// Worker-slot seconds spent running jobs, and worker-slot seconds available, since the run started
    /// (or since its latest resume: a resumed process measures its own utilization).
    public internal(set) var busySeconds = 0.0
    public internal(set) var capacitySeconds = 0.0
    /// Trials by status (indexed by `TrialStatus.allCases` order).
    var statusCounts = Array(repeating: 0, count: TrialStatus.allCases.count)
    /// Events that named an impossible transition or an unknown trial, and the first such, described.
    public internal(set) var violations = 0
    public internal(set) var firstViolation: String?

    /// An empty run (no event applied yet).
    public init() {}

    /// The state folded from `events`.
    public init(events: some Sequence<RunEvent>) {
        for e in events { apply(e) }
    }

    /// True while the run is ended.
    public var isEnded: Bool { endReason != nil }

    /// How many trials have `status`.
    public func count(_ status: TrialStatus) -> Int { statusCounts[status.index] }

    /// Trials by status (statuses no trial has are left out).
    public var counts: [TrialStatus: Int] {
        var c: [TrialStatus: Int] = [:]
        for s in TrialStatus.allCases where count(s) > 0 { c[s] = count(s) }
        return c
    }

    /// Fraction of worker-slot time spent running jobs.
    public var utilization: Double { capacitySeconds > 0 ? min(1, busySeconds / capacitySeconds) : 0 }

    /// What to tell a user about events the fold could not follow, or nil when there were none.
    public var violationWarning: String? {
        guard let first = firstViolation else { return nil }
        let n = violations == 1 ? "1 event" : "\(violations) events"
        return "\(n) could not be folded (the first: \(first)); they were ignored"
    }

    /// The trial `id`, if it was sampled.
    public func trial(_ id: TrialID) -> Trial? { trials.indices.contains(id) ? trials[id] : nil }

    /// The summary every view prints: the live run at its end, `replay --headless`, `--until`.
    public var summary: RunSummary {
        RunSummary(
            counts: counts,
            best: best,
            endReason: endReason?.text, seconds: time, reports: reports, utilization: utilization)
    }
}

extension RunState.Trial: Equatable {
    /// Field by field; a NaN metric equals itself (two folds of one log are equal).
    public static func == (a: Self, b: Self) -> Bool {
        a.id == b.id && a.bracket == b.bracket && a.config == b.config && a.status == b.status
            && a.pendingJob == b.pendingJob && a.worker == b.worker && a.jobStartedAt == b.jobStartedAt
            && a.jobRung == b.jobRung && a.jobTarget == b.jobTarget && a.highestRung == b.highestRung
            && a.highestRungResource == b.highestRungResource && a.lastValue?.bitPattern == b.lastValue?.bitPattern
            && a.lastResource == b.lastResource && a.reason == b.reason
    }
}

/// What a run came to: printed at the end of a headless run, and by a headless replay of its log
/// (both read it from `RunState.summary`).
public struct RunSummary: Sendable, Equatable {
    /// Trial counts by final status.
    public var counts: [TrialStatus: Int]
    /// The best trial, its value, the resource it was measured at and its configuration.
    public var best: Best?
    /// Why the run ended.
    public var endReason: String?
    /// Seconds from start to the latest event (simulated seconds under the simulated clock).
    public var seconds: Double
    /// Metric reports received.
    public var reports: Int
    /// Fraction of worker-slot time spent running jobs.
    public var utilization: Double

    /// The best trial found.
    public struct Best: Sendable, Equatable {
        public var trial: TrialID
        public var value: Double
        public var resource: Int
        public var config: Configuration

        public init(trial: TrialID, value: Double, resource: Int, config: Configuration) {
            self.trial = trial
            self.value = value
            self.resource = resource
            self.config = config
        }
    }

    public init(
        counts: [TrialStatus: Int], best: Best?, endReason: String?, seconds: Double, reports: Int,
        utilization: Double
    ) {
        self.counts = counts
        self.best = best
        self.endReason = endReason
        self.seconds = seconds
        self.reports = reports
        self.utilization = utilization
    }
}
