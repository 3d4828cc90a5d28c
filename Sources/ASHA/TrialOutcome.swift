/// How a trial's job ended early, as told to `ASHAScheduler.trialEnded(_:outcome:)`.
public enum TrialOutcome: String, Sendable, CaseIterable {
    /// The trial failed (an error, a time limit).
    case failed
    /// The user killed the trial.
    case killed
}
