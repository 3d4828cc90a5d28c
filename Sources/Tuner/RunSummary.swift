import ASHA
import RunLog

/// What a run came to: printed at the end of a headless run, and by a headless replay of its log.
public struct RunSummary: Sendable, Equatable {
    /// Trial counts by final status.
    public var counts: [TrialStatus: Int]
    /// The best trial, its value, the resource it was measured at and its configuration.
    public var best: Best?
    /// Why the run ended.
    public var endReason: String?
    /// Seconds from start to end (simulated seconds under the simulated clock).
    public var seconds: Double
    /// Metric reports received.
    public var reports: Int
    /// Fraction of worker-slot time spent running jobs.
    public var utilization: Double

    /// The best trial found.
    public struct Best: Sendable, Equatable {
        public var trial: TrialID
        public var value: Double
        public var resource: Int
        public var config: Configuration

        /// The best trial as a fold of a log (a headless replay) finds it.
        public init(trial: TrialID, value: Double, resource: Int, config: Configuration) {
            self.trial = trial
            self.value = value
            self.resource = resource
            self.config = config
        }
    }

    public init(
        counts: [TrialStatus: Int], best: Best?, endReason: String?, seconds: Double, reports: Int,
        utilization: Double
    ) {
        self.counts = counts
        self.best = best
        self.endReason = endReason
        self.seconds = seconds
        self.reports = reports
        self.utilization = utilization
    }
}
