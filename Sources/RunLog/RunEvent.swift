import ASHA
import ObjectiveProtocol

/// Who caused a pause, resume or stop: the user from the dashboard, or the tuner itself.
public enum Initiator: String, Sendable, Equatable {
    case user
    case tuner
}

/// What a run is, as told once at its start: enough for a dashboard to lay out its panes.
public struct RunInfo: Sendable, Equatable {
    /// The run's name (from the spec; untrusted text).
    public var name: String
    /// The objective's name.
    public var objective: String
    /// The metric's name and whether smaller or larger is better.
    public var metric: String
    public var goal: Goal
    public var settings: SchedulerSettings
    /// The rung resources of each bracket: `ladders[b][k]` is the resource of rung k of bracket b.
    public var ladders: [[Int]]
    /// Worker slots at the start.
    public var workers: Int
    /// Wall-time budget in seconds, if any.
    public var maxSeconds: Double?
    /// The names of the search space's parameters, in order.
    public var parameters: [String]
    /// The devices (GPUs) of each worker slot, slot `w` taking `workerDevices[w % count]`; nil: none.
    public var workerDevices: [[String]]?
    /// Where the objective's programs run when not in ashb-top's own process tree (e.g. `slurm`,
    /// `slurm:gpu`); nil: here. Untrusted text.
    public var executor: String?

    public init(
        name: String, objective: String, metric: String, goal: Goal, settings: SchedulerSettings,
        ladders: [[Int]], workers: Int, maxSeconds: Double?, parameters: [String], workerDevices: [[String]]? = nil,
        executor: String? = nil
    ) {
        self.name = name
        self.objective = objective
        self.metric = metric
        self.goal = goal
        self.settings = settings
        self.ladders = ladders
        self.workers = workers
        self.maxSeconds = maxSeconds
        self.parameters = parameters
        self.workerDevices = workerDevices
        self.executor = executor
    }

    /// The devices of worker slot `worker` ("0,1"), or nil when the run assigns none.
    public func devices(worker: Int) -> String? {
        guard let groups = workerDevices, !groups.isEmpty else { return nil }
        return groups[worker % groups.count].joined(separator: ",")
    }
}

/// Where a sampled configuration came from, and what the objective made of it (both optional: logs
/// written before they existed, and runs with the random sampler, have no origin).
public struct SampleDetail: Sendable, Equatable {
    /// The model-based sampler's account: drawn at random, or proposed by a model of which rung level.
    public var origin: SampleOrigin?
    /// The objective's note about the trial (`curves`: the recorded configurations it follows). Untrusted text.
    public var note: String?

    public init(origin: SampleOrigin? = nil, note: String? = nil) {
        self.origin = origin
        self.note = note
    }
}

/// Where a job's process runs when a cluster placed it: the objective's `ProcessPlacement` (one type
/// from the executor that learns it to the log, the dashboard and the summary), as told once the job left
/// the queue. Every string is the cluster's: untrusted text.
public typealias JobPlacement = ProcessPlacement

extension ProcessPlacement {
    /// What the cluster's commands address: `70`, or `70.3` for a step.
    public var target: String { step.map { "\(job).\($0)" } ?? job }

    /// `Slurm job 70 on node7, 0.14 s in the queue` (`Slurm step 70.3 ...` for a step). Not sanitized.
    public var text: String {
        let who = executor == "slurm" ? "Slurm" : executor
        let what = step == nil ? "job" : "step"
        return
            "\(who) \(what) \(target) on \(node), \(formatShort((queueSeconds * 100).rounded() / 100)) s in the queue"
    }
}

/// One fact about a run. A run is the sequence of its events; the log, the dashboard and the
/// scheduler's restored state are all folds over that sequence.
public struct RunEvent: Sendable, Equatable {
    /// 0, 1, 2, ... in the order the tuner recorded the events.
    public var seq: Int
    /// Seconds since the run started (wall clock, or the simulated clock).
    public var time: Double
    public var body: Body

    public init(seq: Int, time: Double, body: Body) {
        self.seq = seq
        self.time = time
        self.body = body
    }

    /// What happened.
    public enum Body: Sendable, Equatable {
        /// The run started. (Boxed: the run's description is large and comes once, so every other event
        /// stays small in memory — a replay holds a million of them.)
        indirect case runStarted(RunInfo)
        /// A configuration was sampled for a new trial in `bracket`; `detail` says where it came from.
        case trialSampled(trial: TrialID, bracket: Int, config: Configuration, detail: SampleDetail = SampleDetail())
        /// A job started on a worker slot: train `trial` from `fromResource` to `toResource` (rung `rung`).
        case jobStarted(trial: TrialID, worker: Int, rung: Int, fromResource: Int, toResource: Int)
        /// The process of the job of `trial` on `worker` left the cluster's queue and runs where
        /// `placement` says (a job may be placed again: a retry after the cluster ended it). (Boxed: rare
        /// and larger than the other events.)
        indirect case jobPlaced(trial: TrialID, worker: Int, placement: JobPlacement)
        /// The trial's objective reported `value` after training to `resource`.
        case metric(trial: TrialID, resource: Int, value: Double)
        /// The scheduler decided about the trial at a rung (see `Decision` for why).
        case decision(Decision)
        /// The job of `trial` on `worker` ended; the worker slot is free.
        case jobEnded(trial: TrialID, worker: Int)
        /// The trial was paused (its state kept, its worker freed).
        case trialPaused(trial: TrialID, by: Initiator)
        /// The paused trial may run again.
        case trialResumed(trial: TrialID, by: Initiator)
        /// The user killed the trial: it ends and is never promoted.
        case trialKilled(trial: TrialID)
        /// The trial reached the maximum resource.
        case trialCompleted(trial: TrialID, resource: Int, value: Double)
        /// The trial failed (an error, a non-finite metric, or its time limit); the run goes on.
        case trialFailed(trial: TrialID, reason: String)
        /// A new best value: the trial's `value` at `resource`.
        case newBest(trial: TrialID, resource: Int, value: Double)
        /// The whole run was paused: no new job starts; running jobs finish.
        case runPaused(by: Initiator)
        case runResumed(by: Initiator)
        /// The number of worker slots changed.
        case workersChanged(count: Int, by: Initiator)
        /// A note from the tuner about a trial (or the run, when `trial` is nil), e.g. a checkpoint that
        /// could not be restored. Untrusted text.
        case message(trial: TrialID?, text: String)
        /// The run was resumed from its log by `ashb-top resume`, after `events` recorded events.
        case runContinued(events: Int)
        /// The run ended, with its reason.
        case runEnded(reason: EndReason)
    }
}

extension RunEvent.Body {
    /// The trial the event is about, if it is about one.
    public var trial: TrialID? {
        switch self {
        case .trialSampled(let t, _, _, _), .jobStarted(let t, _, _, _, _), .jobPlaced(let t, _, _),
            .metric(let t, _, _), .jobEnded(let t, _),
            .trialPaused(let t, _), .trialResumed(let t, _), .trialKilled(let t), .trialCompleted(let t, _, _),
            .trialFailed(let t, _), .newBest(let t, _, _):
            return t
        case .decision(let d): return d.trial
        case .message(let t, _): return t
        case .runStarted, .runPaused, .runResumed, .workersChanged, .runContinued, .runEnded: return nil
        }
    }
}

/// What the dashboard (or any client) asks the tuner to do. The tuner answers with events.
public enum Command: Sendable, Equatable {
    case pauseTrial(TrialID)
    case resumeTrial(TrialID)
    case killTrial(TrialID)
    case pauseRun
    case resumeRun
    /// Set the number of worker slots (at least 1).
    case setWorkers(Int)
    /// Stop the run gracefully: running jobs are told to stop, the log is closed with `reason`.
    case stopRun(reason: EndReason)
}
