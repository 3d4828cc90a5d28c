import ASHA
import ObjectiveProtocol
import RunLog

/// Why a log cannot be resumed.
public struct RestoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Rebuilding a run from its log.
///
/// The run's state is the same fold the live run made: each logged event is applied to `state` as the
/// live run applied it when it emitted it. Before that, every scheduler call the live run made is made
/// again in the same order, and the scheduler's answer is checked against the log: a `trial_sampled` or
/// a promotion is one `nextJob()` (same trial, bracket, configuration, rung), a `job_started` of an
/// interrupted job is one `resumeJob` (same rung and target), a finite `metric` is one `reportAll` whose
/// decisions, new bests and completion must be the events that follow it; a `failed` or `killed` is one
/// `trialEnded`, a pause mid-job one `jobInterrupted`. The scheduler is deterministic, so any difference
/// (or a transition the state calls illegal) is an inconsistent log.
extension RunCore {
    func restore(_ event: RunEvent) throws(RestoreError) {
        seq = event.seq + 1
        now = max(now, event.time)
        try replayScheduler(event)
        if let violation = applyRestored(event) { throw RestoreError("inconsistent log: \(violation)") }
    }

    private func replayScheduler(_ event: RunEvent) throws(RestoreError) {
        let n = event.seq
        if !owed.isEmpty {
            guard event.body == owed[0] else {
                throw RestoreError(
                    "event \(n): the scheduler's answer to the previous metric was \(owed[0]), the log says otherwise")
            }
            owed.removeFirst()
            return
        }
        switch event.body {
        case .runStarted(let logged):
            // Budgets may be raised on resume (`--extend`); everything else must match.
            var a = logged.settings
            var b = info.settings
            a.maxTrials = nil
            b.maxTrials = nil
            guard a == b, logged.objective == info.objective, logged.ladders == info.ladders else {
                throw RestoreError("the log's scheduler settings or objective differ from its spec's")
            }
        case .trialSampled(let t, let b, let config, _):
            guard let job = scheduler.nextJob(), job.isNew, job.trial == t, job.bracket == b, t == records.count else {
                throw RestoreError("event \(n): trial \(t) was not the scheduler's next new trial")
            }
            guard scheduler.configuration(of: t) == config else {
                throw RestoreError(
                    "event \(n): trial \(t)'s configuration differs from the one the scheduler samples "
                        + "(the seed's, or the \(scheduler.settings.sampler.name) sampler's from the results before it)"
                )
            }
            records.append(TrialRecord())
            records[t].job = job
        case .decision(let d) where d.action == .promote:
            guard let job = scheduler.nextJob(), let p = job.promotion, p.trial == d.trial, p.rung == d.rung else {
                throw RestoreError("event \(n): trial \(d.trial)'s promotion differs from the scheduler's")
            }
            if state.trial(d.trial)?.status == .paused {
                scheduler.jobInterrupted(d.trial)
            } else {
                records[d.trial].job = job
            }
        case .decision(let d):
            throw RestoreError("event \(n): a decision about trial \(d.trial) that the scheduler did not take")
        case .jobStarted(let t, _, let rung, let from, let to):
            let trial = try known(t, n)
            records[t].lastEventTime = event.time
            records[t].lastEventSeq = n
            if records[t].job == nil { records[t].job = scheduler.resumeJob(for: t) }
            guard let job = records[t].job, job.rung == rung, job.toResource == to, from == trial.lastResource else {
                throw RestoreError("event \(n): trial \(t)'s job differs from the scheduler's")
            }
        case .metric(let t, let r, let v):
            _ = try known(t, n)
            records[t].lastEventTime = event.time
            records[t].lastEventSeq = n
            guard v.isFinite else { return }  // the `failed` event that follows ends it
            let decisions = scheduler.reportAll(trial: t, resource: r, value: v)
            owed = Self.events(
                recording: decisions, trial: t, resource: r, value: v, best: state.best, goal: scheduler.settings.goal)
            if let last = decisions.last?.action, last == .stop || last == .complete || last == .wait {
                records[t].job = nil
            } else if let job = records[t].job, r >= job.toResource {
                records[t].job = nil
            }
        case .trialPaused(let t, _):
            // Running, or promoted while its last job's process was still ending (waiting, job handed out).
            let status = try known(t, n).status
            if status == .running || status == .waiting, records[t].job != nil {
                scheduler.jobInterrupted(t)
                records[t].job = nil
            }
        case .trialKilled(let t):
            _ = try known(t, n)
            records[t].job = nil
            scheduler.trialEnded(t, outcome: .killed)
        case .trialFailed(let t, _):
            _ = try known(t, n)
            records[t].job = nil
            scheduler.trialEnded(t, outcome: .failed)
        case .jobEnded, .jobPlaced, .trialResumed, .trialCompleted, .newBest, .runPaused, .runResumed, .workersChanged,
            .message, .runEnded, .runContinued:
            break
        }
    }

    private func known(_ t: TrialID, _ seq: Int) throws(RestoreError) -> RunState.Trial {
        guard let trial = state.trial(t) else {
            throw RestoreError("event \(seq) names trial \(t), which was never sampled")
        }
        return trial
    }

    /// After the last event: jobs that were running when the process died are noted (the simulated clock
    /// continues each on its worker), their jobs (and jobs handed out but not started) are interrupted in
    /// the scheduler, so that it gives them again. The run's state changes when `start()` records the
    /// continuation (`run_continued`: those trials, and the paused ones, are queued again).
    func finishRestore(eventsRead: Int) {
        // Jobs in flight at the end of the log, in the order their last steps began.
        inFlight = state.trials.indices.filter { state.trials[$0].status == .running && state.trials[$0].worker != nil }
            .sorted { records[$0].lastEventSeq < records[$1].lastEventSeq }
            .map { (trial: $0, worker: state.trials[$0].worker!, since: records[$0].lastEventTime) }
        for t in records.indices where records[t].job != nil {
            scheduler.jobInterrupted(t)
            records[t].job = nil
        }
        restoredEndReason = state.endReason
        stopReason = nil
        restoredEvents = eventsRead
    }
}

extension RunCore {
    /// Continues an in-flight job of a restored run on its old worker (simulated clock), or nil when the
    /// worker is taken or the trial cannot run.
    func resumeInFlight(trial t: TrialID, worker: Int) -> Assignment? {
        guard worker < state.slots.count, state.slots[worker] == nil, state.trials[t].status == .queued else {
            return nil
        }
        return startJob(trial: t, worker: worker)
    }
}
