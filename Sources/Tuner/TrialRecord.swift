import ASHA
import Objectives
import RunLog

/// What the tuner keeps about one trial beyond the run's state (`RunState.Trial`, its status, worker
/// and resource): the objective's trainable state, the scheduler's job, and the user's requests.
struct TrialRecord {
    /// The objective's trainable state (its checkpoint); nil until the first job starts.
    var model: (any ObjectiveTrial)?
    /// Its state is in the run's checkpoint spill, not in `model` (which is then nil).
    var spilled = false
    /// The scheduler's job running now (or handed out and not started yet).
    var job: Job?
    /// The resource the objective's model is at; below the recorded resource after a restart from an
    /// older checkpoint (or from zero), while the model catches up without reporting.
    var modelResource = 0
    var pauseRequested = false
    var killRequested = false
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
