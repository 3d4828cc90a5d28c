/// Where a trial stands.
public enum TrialStatus: String, Sendable, CaseIterable, Hashable {
    /// A job is training it.
    case running
    /// Paused by the user (or by the tuner when the run stopped); its state is kept.
    case paused
    /// Promotion variant: its job reached a rung; it waits to be promoted (or is never promoted).
    case waiting
    /// Resumed by the user, waiting for a free worker.
    case queued
    /// Reached the maximum resource.
    case completed
    /// Stopped at a rung by the stopping rule.
    case stopped
    /// Killed by the user.
    case killed
    /// Failed: an error, a non-finite metric, or its time limit.
    case failed
}
