import ASHA

/// How a run is carried out, besides what the scheduler decides.
public struct TunerOptions: Sendable, Equatable {
    /// The run's name, shown on screens and recorded in the log (untrusted text).
    public var name: String
    /// Worker slots: jobs that may run at once (at least 1).
    public var workers: Int
    /// Wall-time budget in seconds (simulated seconds under the simulated clock); nil for none.
    public var maxSeconds: Double?
    /// A trial whose training has taken longer than this many seconds in total fails; nil for no limit.
    public var trialTimeLimit: Double?
    /// Where idle trials' checkpoints go; nil keeps every trial's state in memory (the default).
    ///
    /// When set, a trial whose job ends while it may run again (waiting at a rung, or paused) and whose
    /// objective supports `checkpoint()` is written to a file here and dropped from memory; it is
    /// restored with `Objective.restoreTrial` when it next gets a worker. A trial that cannot be spilled
    /// stays in memory; one that cannot be restored fails. The checkpoints share one file in this
    /// directory, deleted when the run ends.
    public var spillDirectory: String?
    /// The run stops after this many failed jobs in a row (no job ending well in between); nil for no limit.
    public var maxFailures: Int?
    /// The most worker slots the run may have (e.g. the number of GPU groups); nil: 512.
    public var maxWorkers: Int?
    /// The devices of each worker slot, recorded in the run's description for the dashboard; nil: none.
    public var workerDevices: [[String]]?
    /// Where the objective's programs run (e.g. `slurm`), for the run's description; nil: here.
    public var executor: String?

    public init(
        name: String = "run", workers: Int = 4, maxSeconds: Double? = nil, trialTimeLimit: Double? = nil,
        spillDirectory: String? = nil, maxFailures: Int? = nil, maxWorkers: Int? = nil,
        workerDevices: [[String]]? = nil, executor: String? = nil
    ) {
        self.name = name
        self.workers = workers
        self.maxSeconds = maxSeconds
        self.trialTimeLimit = trialTimeLimit
        self.spillDirectory = spillDirectory
        self.maxFailures = maxFailures
        self.maxWorkers = maxWorkers
        self.workerDevices = workerDevices
        self.executor = executor
    }
}

/// The seed a trial's objective gets: a pure function of the run's seed and the trial id.
public func trialSeed(runSeed: UInt64, trial: TrialID) -> UInt64 {
    var z = runSeed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: trial &+ 1)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
