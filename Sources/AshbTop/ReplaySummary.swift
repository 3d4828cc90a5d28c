import ASHA
import RunLog
import Tuner

/// The summary a live run prints at its end, folded from its log: trial counts, the best trial and its
/// configuration, reports and the end reason (`TrialTable`), and the time and worker utilization the way
/// the tuner measures them (busy job seconds over worker-slot seconds).
struct ReplaySummary {
    private(set) var table = TrialTable()
    private var workers = 0
    private var now = 0.0
    private var capacitySeconds = 0.0
    private var busySeconds = 0.0
    private var jobStarted: [TrialID: Double] = [:]

    /// Folds one event.
    mutating func apply(_ event: RunEvent) {
        table.apply(event)
        let t = max(now, event.time)
        capacitySeconds += Double(workers) * (t - now)
        now = t
        switch event.body {
        case .runStarted(let info): workers = max(1, info.workers)
        case .jobStarted(let trial, _, _, _, _): jobStarted[trial] = event.time
        case .jobEnded(let trial, _):
            if let start = jobStarted.removeValue(forKey: trial) { busySeconds += max(0, event.time - start) }
        case .workersChanged(let count, _): workers = count
        case .runContinued:
            // A resumed tuner measures utilization from the resume on.
            capacitySeconds = 0
            busySeconds = 0
            jobStarted = [:]
        default: break
        }
    }

    /// The run's description, once `run_started` was folded.
    var info: RunInfo? { table.info }

    /// The summary as `RunSummary`, for `summaryText`.
    var summary: RunSummary {
        let best = table.best.map { b in
            RunSummary.Best(
                trial: b.trial, value: b.value, resource: b.resource,
                config: table.rows.indices.contains(b.trial) ? table.rows[b.trial].config : Configuration([]))
        }
        return RunSummary(
            counts: table.counts, best: best, endReason: table.endReason, seconds: now, reports: table.reports,
            utilization: capacitySeconds > 0 ? min(1, busySeconds / capacitySeconds) : 0)
    }
}
