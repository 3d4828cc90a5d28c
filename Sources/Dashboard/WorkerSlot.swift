import ASHA
import RunLog
import TextSafety

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
    /// Where the job's process runs on a cluster (job, step, node, the wait in the queue), sanitized;
    /// nil before the cluster placed it, and for local processes.
    public var placement: JobPlacement?

    /// True while a job runs on the slot.
    public var isBusy: Bool { trial != nil }

    /// An idle slot.
    public init() {}
}

extension JobPlacement {
    /// The placement with every cluster-given string made printable and bounded, for the screen.
    public var sanitized: JobPlacement {
        JobPlacement(
            executor: Sanitizer.clean(executor, maxColumns: 16), job: Sanitizer.clean(job, maxColumns: 24),
            step: step.map { Sanitizer.clean($0, maxColumns: 12) }, node: Sanitizer.clean(node, maxColumns: 48),
            queueSeconds: queueSeconds.isFinite ? max(0, queueSeconds) : 0)
    }

    /// `70@node7 0.1s`: the job (or step), its node, its wait in the queue (the Workers pane's cell).
    public var cell: String { "\(target)@\(node) \(formatDuration(queueSeconds))" }

    /// `Slurm job 70 on node7, waited 0.1s in the queue` (the trial detail's line).
    public var detail: String {
        let who = executor == "slurm" ? "Slurm" : executor
        return
            "\(who) \(step == nil ? "job" : "step") \(target) on \(node), waited \(formatDuration(queueSeconds)) in the queue"
    }
}
