import ASHA
import Objectives
import RunLog

/// Everything the tuner knows about one trial.
struct TrialRecord {
    let id: TrialID
    let bracket: Int
    let config: Configuration
    var status: TrialStatus = .running
    /// The objective's trainable state (its checkpoint); nil until the first job starts.
    var model: (any ObjectiveTrial)?
    /// Its state is in the run's checkpoint spill, not in `model` (which is then nil).
    var spilled = false
    /// The job running now.
    var job: Job?
    /// Paused with training owed: a job interrupted mid-way, or a promotion that came while it was held.
    /// The scheduler gives that job again (`resumeJob(for:)`) when the trial next gets a worker.
    var pendingJob = false
    /// The worker slot running it.
    var worker: Int?
    /// Resource trained so far, as recorded (reported) in the run.
    var resource = 0
    /// The resource the objective's model is at; below `resource` after a restart from an older
    /// checkpoint (or from zero), while the model catches up without reporting.
    var modelResource = 0
    var pauseRequested = false
    var killRequested = false
    /// Its running step was cancelled because the run is stopping: the job is interrupted, not failed.
    var stopInterrupted = false
    /// Its training time passed `trial_seconds` while a step ran: the step was cancelled, the trial fails.
    var timeLimitHit = false
    /// Its job is over and its objective is releasing what the job held (a process): it must not start
    /// another job until then; `startAfterRelease` says one is due (a promotion or a user's resume).
    var releasing = false
    var startAfterRelease = false
    /// When its current step began (the trial time limit counts it while it runs).
    var stepStartedAt = 0.0
    /// Seconds spent training, summed over its jobs.
    var trainingSeconds = 0.0
    /// When its current job started (for utilization).
    var jobStartedAt = 0.0
    /// Time and number of its latest event (a restored run continues in-flight jobs from there).
    var lastEventTime = 0.0
    var lastEventSeq = 0

    init(id: TrialID, bracket: Int, config: Configuration) {
        self.id = id
        self.bracket = bracket
        self.config = config
    }

    /// Whether it can never run again.
    var isFinal: Bool {
        switch status {
        case .completed, .stopped, .killed, .failed: return true
        case .running, .paused, .waiting, .queued: return false
        }
    }
}

/// A job handed to a worker slot: the trial, its trainable state and where to train it to.
struct Assignment: Sendable {
    let trial: TrialID
    let worker: Int
    let model: any ObjectiveTrial
    let target: Int
}
