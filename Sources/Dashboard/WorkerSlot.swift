import ASHA

/// One worker slot, as the dashboard sees it.
public struct WorkerSlot: Equatable, Sendable {
    /// The trial it trains, nil when idle.
    public var trial: TrialID?
    /// The trial's bracket.
    public var bracket = 0
    /// The rung the job trains towards.
    public var rung = 0
    /// The resource the job started from.
    public var fromResource = 0
    /// The resource the job trains to.
    public var toResource = 0
    /// The resource of the latest report of the running job.
    public var resource = 0
    /// The latest metric of the running job.
    public var metric: Double?
    /// Event time when the job started.
    public var started = 0.0

    /// True while a job runs on the slot.
    public var isBusy: Bool { trial != nil }

    /// An idle slot.
    public init() {}
}
