import ASHA
import ObjectiveProtocol
import RunLog

/// What the tuner keeps about one trial beyond the run's state (`RunState.Trial`, its status, worker
/// and resource): the objective's trainable state, the scheduler's job, and the user's requests.
struct TrialRecord {
    /// The objective's trainable state (its checkpoint); nil until the first job starts.
    var model: (any ObjectiveTrial)?
    /// Its state is in the checkpoint store, not in `model` (which is then nil).
    var spilled = false
    /// The model resource of its latest checkpoint queued in the run's store (-1: none).
    var savedResource = -1
    /// The scheduler's job running now (or handed out and not started yet).
    var job: Job?
    /// The resource the objective's model is at; below the recorded resource after a restart from an
    /// older checkpoint (or from zero), while the model catches up without reporting.
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
    /// Time and number of its latest event (a restored run continues in-flight jobs from there).
    var lastEventTime = 0.0
    var lastEventSeq = 0
}

/// A job handed to a worker slot: the trial, its trainable state and where to train it to.
struct Assignment: Sendable {
    let trial: TrialID
    let worker: Int
    let model: any ObjectiveTrial
    let target: Int
}
