import ASHA

/// Where a trial stands.
public enum TrialStatus: String, Sendable, CaseIterable, Hashable {
    /// A job is training it.
    case running
    /// Paused by the user (or by the tuner when the run stopped); its state is kept.
    case paused
    /// Its job is over without an end: promotion variant, it waits at a rung to be promoted (or is never
    /// promoted); a trial resumed by the user that owes no job waits here too.
    case waiting
    /// A job is owed to it and it waits for a free worker: just sampled or promoted, resumed by the user,
    /// or continued after a restart.
    case queued
    /// Reached the maximum resource.
    case completed
    /// Stopped at a rung by the stopping rule.
    case stopped
    /// Killed by the user.
    case killed
    /// Failed: an error, a non-finite metric, or its time limit.
    case failed

    /// The position in `allCases` (an index for per-status counters).
    var index: Int {
        switch self {
        case .running: return 0
        case .paused: return 1
        case .waiting: return 2
        case .queued: return 3
        case .completed: return 4
        case .stopped: return 5
        case .killed: return 6
        case .failed: return 7
        }
    }

    /// Whether the trial can never run again.
    public var isFinal: Bool {
        switch self {
        case .completed, .stopped, .killed, .failed: return true
        case .running, .paused, .waiting, .queued: return false
        }
    }

    /// What moves a trial: one case per event (or part of an event) that can change its status.
    public enum Move: Sendable, Equatable {
        /// `job_started`.
        case jobStarted
        /// `metric`; `targetReached`: the report reached its job's target resource, so the job is over.
        case reported(targetReached: Bool)
        /// `decision` with this action (`.promote`: the trial is promoted from its rung).
        case decided(Decision.Action)
        /// `trial_paused`.
        case paused
        /// `trial_resumed`; `owesJob`: its job had been interrupted (or it was promoted while held).
        case resumed(owesJob: Bool)
        /// `trial_killed`.
        case killed
        /// `trial_completed`.
        case completed
        /// `trial_failed`.
        case failed
        /// `job_ended`.
        case jobEnded
        /// `run_continued` (a restart): `owesJob` as for `resumed`.
        case runContinued(owesJob: Bool)

        /// The move in words, for error messages ("a job start", "a wait decision").
        public var name: String {
            switch self {
            case .jobStarted: return "a job start"
            case .reported: return "a metric report"
            case .decided(let action): return "a \(action.rawValue) decision"
            case .paused: return "a pause"
            case .resumed: return "a resume"
            case .killed: return "a kill"
            case .completed: return "a completion"
            case .failed: return "a failure"
            case .jobEnded: return "a job end"
            case .runContinued: return "a run continuation"
            }
        }
    }

    /// The status after `move`, or nil when the move is illegal from this status.
    ///
    /// This is the only place trial transitions are written. Legal moves:
    ///
    /// | from | move | to |
    /// |---|---|---|
    /// | queued | job started | running |
    /// | running | reported | running, or waiting when the report reached the job's target |
    /// | running, waiting | decided continue / wait / stop / complete | same / waiting / stopped / completed |
    /// | waiting | decided promote | queued |
    /// | paused | decided promote | paused (it owes the job; it runs once resumed) |
    /// | running, waiting, queued | paused | paused |
    /// | paused | resumed | queued when it owes a job, else waiting |
    /// | running, waiting, queued, paused | killed, failed | killed, failed |
    /// | running, waiting, completed | completed | completed |
    /// | any but queued | job ended | same (running: waiting, a job over without a decision) |
    /// | running, paused | run continued | queued when it owes a job, else waiting |
    /// | waiting, queued, final | run continued | same |
    ///
    /// Illegal, by name: starting a job for a trial that is not queued (running twice, or a paused,
    /// waiting or final trial); a report from a trial with no running job; a decision about a trial
    /// that is not running or waiting (a promotion: not waiting or paused); pausing a paused or final
    /// trial; resuming a trial that is not paused; ending (kill, fail) a final trial; completing a
    /// stopped, killed, failed, queued or paused trial; ending the job of a queued trial.
    public func after(_ move: Move) -> TrialStatus? {
        switch (move, self) {
        case (.jobStarted, .queued): return .running
        case (.reported(let reached), .running): return reached ? .waiting : .running
        case (.decided(.promote), .waiting): return .queued
        case (.decided(.promote), .paused): return .paused
        case (.decided(let action), .running), (.decided(let action), .waiting):
            switch action {
            case .continue: return self
            case .wait: return .waiting
            case .stop: return .stopped
            case .complete: return .completed
            case .promote: return nil
            }
        case (.paused, .running), (.paused, .waiting), (.paused, .queued): return .paused
        case (.resumed(let owes), .paused): return owes ? .queued : .waiting
        case (.killed, _) where !isFinal: return .killed
        case (.failed, _) where !isFinal: return .failed
        case (.completed, .running), (.completed, .waiting), (.completed, .completed): return .completed
        case (.jobEnded, .running): return .waiting
        case (.jobEnded, _) where self != .queued: return self
        case (.runContinued(let owes), .running), (.runContinued(let owes), .paused): return owes ? .queued : .waiting
        case (.runContinued, _): return self
        default: return nil
        }
    }
}
