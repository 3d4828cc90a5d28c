import ASHA

/// What one training step produced.
public struct Step: Sendable, Equatable {
    /// The resource the trial has been trained to, after this step.
    public var resource: Int
    /// The metric's value at that resource (may be NaN or infinite: the tuner marks the trial failed).
    public var value: Double
    /// The declared cost of the step in seconds, used by the simulated clock. Objectives that do real
    /// work may leave it nil; the simulated clock then counts one second per resource unit.
    public var cost: Double?

    public init(resource: Int, value: Double, cost: Double? = nil) {
        self.resource = resource
        self.value = value
        self.cost = cost
    }
}

/// What comes after a trial's job (see `ObjectiveTrial.jobEnded`).
public enum TrialFate: Sendable, Equatable {
    /// It may train again: it waits at a rung, or it is paused (by the user or because the run stops).
    case continues
    /// It reached the top rung: it never trains again, and it may be the run's best.
    case completed
    /// It never trains again: stopped by the scheduler, failed or killed.
    case ended
}

/// Where a trial's process runs when a cluster placed it: a Slurm job (or a step of ashb-top's own
/// allocation) that left the queue. The log records it as it is (RunLog calls it `JobPlacement`). The
/// strings are the cluster's (untrusted text).
public struct ProcessPlacement: Sendable, Equatable {
    /// The executor that placed it (`slurm`).
    public var executor: String
    /// The cluster's job id (`70`).
    public var job: String
    /// The step id when the process is a step of ashb-top's own allocation (`3`); nil for a job of its own.
    public var step: String?
    /// The node it runs on.
    public var node: String
    /// Seconds from the launch to the start of the process: mostly the wait in the cluster's queue.
    public var queueSeconds: Double

    public init(executor: String, job: String, step: String? = nil, node: String, queueSeconds: Double) {
        self.executor = executor
        self.job = job
        self.step = step
        self.node = node
        self.queueSeconds = queueSeconds
    }
}

/// A trial's trainable state: its model and the resource it was trained to (its "checkpoint").
///
/// The tuner guarantees that at most one job uses a trial at a time, and moves it between jobs
/// (a pause, a promotion): conformers hold their mutable state privately and are `@unchecked Sendable`.
public protocol ObjectiveTrial: AnyObject, Sendable {
    /// The resource trained so far (0 before the first step).
    var resource: Int { get }
    /// Trains one more step (one resource unit, or more if the objective reports coarser) and
    /// returns the metric there. Throwing marks the trial failed with the error's description.
    func step() throws -> Step
    /// The trial's state as bytes, for `Objective.restoreTrial` (e.g. to resume a run after a
    /// crash without retraining), or nil when the objective cannot snapshot its trials (the
    /// default). Call it only between steps.
    func checkpoint() -> [UInt8]?
    /// Stops the trial's work for good, from any thread, even while `step()` runs on another: the
    /// tuner calls it when the user kills a running trial, and when it releases a trial that will not
    /// train again (ended, or the run ended). A `step()` running then, or called later, may throw.
    /// The default does nothing (an in-process step cannot be interrupted).
    func cancel()
    /// Notes about the trial for the run's log, each returned once: e.g. where its program runs, or
    /// why it was launched again. The tuner records each as a message about the trial after a step.
    /// The default has none.
    func takeNotes() -> [String]
    /// The tuner is about to run a job of this trial on worker slot `worker`, training it to resource
    /// `target` (called before the job's first step). The default does nothing.
    func jobStarting(worker: Int, target: Int)
    /// The trial's job is over and the trial does not train on at once (`fate` says what comes next).
    /// Called on the job's thread before its worker slot is given to another job; returns when what the
    /// trial held only for training is released (a `command` trial with checkpoints: its process has
    /// ended). The default does nothing.
    func jobEnded(_ fate: TrialFate)
    /// A note about the trial for the run log's `sampled` event and the trial detail view (e.g. which
    /// recorded curve a `curves` trial replays), or nil (the default).
    var note: String? { get }
    /// Sets who is told where each of the trial's processes runs once a cluster placed it (the tuner,
    /// which records it); replaces the previous observer. The tuner sets it before each job's first
    /// step; the trial calls it on the job's thread from inside `step()`, as soon as it knows (a job
    /// may wait in a queue for long before its first step line). The default never calls it.
    func observePlacements(_ observer: @escaping @Sendable (ProcessPlacement) -> Void)
    /// Whether the trial may ever call a placement observer; the tuner sets none (and allocates none per
    /// job) when it never will. The default is false.
    var placesJobs: Bool { get }
}

extension ObjectiveTrial {
    /// Nothing to prepare unless a conformer says otherwise.
    public func jobStarting(worker: Int, target: Int) {}

    /// Nothing to release unless a conformer says otherwise.
    public func jobEnded(_ fate: TrialFate) {}

    /// Snapshots are not supported unless a conformer says otherwise.
    public func checkpoint() -> [UInt8]? { nil }

    /// Nothing to interrupt unless a conformer says otherwise.
    public func cancel() {}

    /// No notes unless a conformer says otherwise.
    public func takeNotes() -> [String] { [] }

    /// No note unless a conformer says otherwise.
    public var note: String? { nil }

    /// No placements unless a conformer says otherwise.
    public func observePlacements(_ observer: @escaping @Sendable (ProcessPlacement) -> Void) {}

    /// No placements unless a conformer says otherwise.
    public var placesJobs: Bool { false }
}

/// An objective plugin: makes trainable trials from configurations.
public protocol Objective: Sendable {
    /// The name the experiment spec uses.
    var name: String { get }
    /// The metric the objective reports and its goal.
    var metric: String { get }
    var goal: Goal { get }
    /// A sensible search space for this objective (used by the built-in demo and as a default).
    var defaultSpace: SearchSpace { get }
    /// The largest resource the objective can train to (nil: unbounded).
    var maxResource: Int? { get }
    /// Makes a fresh trial for `config`. `seed` makes its training reproducible.
    func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial
    /// Makes a fresh trial for `config` as trial `trial` of a run. The default calls
    /// `makeTrial(config:seed:)`; objectives that keep files per trial use the id.
    func makeTrial(config: Configuration, seed: UInt64, trial: Int) throws -> any ObjectiveTrial
    /// Rebuilds, for a resumed run, a trial that the objective keeps its own checkpoint of (e.g. a
    /// command's checkpoint directory), trained to `resource` as the log recorded; nil when the
    /// objective keeps none (the tuner then uses its checkpoint store). Throws, saying why, when the
    /// objective's checkpoint is missing (the tuner then trains the trial again from zero).
    func continueTrial(config: Configuration, seed: UInt64, trial: Int, resource: Int) throws -> (any ObjectiveTrial)?
    /// Rebuilds the trial of `config` and `seed` from bytes its `checkpoint()` returned; it then
    /// steps exactly as the original would have. The default throws (not supported).
    func restoreTrial(config: Configuration, seed: UInt64, checkpoint: [UInt8]) throws -> any ObjectiveTrial
    /// Called once when the run has ended and the tuner has released every trial: returns when what
    /// the trials held outside this process (e.g. child processes) is gone. The default returns at once.
    func runEnded()
    /// This objective for a run whose search space is `space` (the spec's, or the default one); an
    /// objective whose behaviour depends on the space (`curves` matches configurations in its scales)
    /// returns an adapted copy. The default returns the objective itself.
    func configured(for space: SearchSpace) throws -> any Objective
    /// The configuration `config` is evaluated as: two configurations with the same canonical one give
    /// the same results (e.g. `curves` replays the nearest recorded configuration). The model-based
    /// sampler uses it to avoid sampling a configuration it has in effect tried. It must be a
    /// configuration of the same space (same entries, in order), a pure function of `config`. The
    /// default returns `config` itself.
    func canonicalConfiguration(_ config: Configuration) -> Configuration
}

extension Objective {
    /// Trials do not need their id unless a conformer says otherwise.
    public func makeTrial(config: Configuration, seed: UInt64, trial: Int) throws -> any ObjectiveTrial {
        try makeTrial(config: config, seed: seed)
    }

    /// No checkpoints of the objective's own unless a conformer says otherwise.
    public func continueTrial(config: Configuration, seed: UInt64, trial: Int, resource: Int) throws
        -> (any ObjectiveTrial)?
    { nil }

    /// Restoring is not supported unless a conformer says otherwise.
    public func restoreTrial(config: Configuration, seed: UInt64, checkpoint: [UInt8]) throws -> any ObjectiveTrial {
        throw ObjectiveError("\(name): trials cannot be restored from a checkpoint")
    }

    /// Nothing outside the process to wait for unless a conformer says otherwise.
    public func runEnded() {}

    /// The objective itself, unless a conformer says otherwise.
    public func configured(for space: SearchSpace) throws -> any Objective { self }

    /// Every configuration is its own unless a conformer says otherwise.
    public func canonicalConfiguration(_ config: Configuration) -> Configuration { config }
}
