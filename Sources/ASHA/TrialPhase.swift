/// Where a trial stands in the scheduler.
public enum TrialPhase: UInt8, Sendable, CaseIterable {
    /// A job of the trial is running on a worker.
    case running
    /// Promotion variant: the trial's job ended at a rung below the top; it may be promoted.
    case waiting
    /// The trial's job was interrupted (`jobInterrupted`); `resumeJob(for:)` continues it.
    case interrupted
    /// The scheduler stopped the trial (stopping variant, or a non-finite value in either variant).
    case stopped
    /// The trial reached the top rung of its bracket.
    case completed
    /// The trial failed (`trialEnded(_:outcome: .failed)`).
    case failed
    /// The user killed the trial (`trialEnded(_:outcome: .killed)`).
    case killed

    /// True for phases no trial leaves: stopped, completed, failed, killed.
    public var isFinal: Bool {
        switch self {
        case .running, .waiting, .interrupted: return false
        case .stopped, .completed, .failed, .killed: return true
        }
    }
}
