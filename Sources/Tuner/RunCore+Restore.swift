import ASHA
import Objectives
import RunLog

/// Why a log cannot be resumed.
public struct RestoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Rebuilding a run from its log: the scheduler's state is a fold over the events.
///
/// Each event is applied with the same transitions the live run made, and every scheduler call the
/// live run made is made again in the same order (a `sampled` or `promote` event is one `nextJob()`, a
/// finite `metric` is one `reportAll`, a `failed` or `killed` is one `trialEnded`, an interrupted job is
/// one `jobInterrupted`, a continued one `resumeJob`). The scheduler is deterministic, so its answers
/// must match what the log recorded; any difference is reported as an inconsistent log.
extension RunCore {
    func restore(_ event: RunEvent) throws(RestoreError) {
        seq = event.seq + 1
        now = max(now, event.time)
        lastTick = now
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
            slotLimit = max(1, logged.workers)
            if slots.count < slotLimit { slots.append(contentsOf: repeatElement(nil, count: slotLimit - slots.count)) }
        case .trialSampled(let t, let b, let config, _):
            guard let job = scheduler.nextJob(), job.isNew, job.trial == t, job.bracket == b, t == trials.count else {
                throw RestoreError("event \(event.seq): trial \(t) was not the scheduler's next new trial")
            }
            let sampled = scheduler.configuration(of: t)
            guard sampled == config else {
                throw RestoreError(
                    "event \(event.seq): trial \(t)'s configuration differs from the one the scheduler samples "
                        + "(the seed's, or the \(scheduler.settings.sampler.name) sampler's from the results before it)")
            }
            trials.append(TrialRecord(id: t, bracket: b, config: config))
            trials[t].job = job
        case .decision(let d) where d.action == .promote:
            guard let job = scheduler.nextJob(), let p = job.promotion, p.trial == d.trial, p.rung == d.rung else {
                throw RestoreError("event \(event.seq): trial \(d.trial)'s promotion differs from the scheduler's")
            }
            if trials[d.trial].status == .paused {
                scheduler.jobInterrupted(d.trial)
                trials[d.trial].pendingJob = true
            } else {
                // Its job starts at once in a live run; a log cut right here leaves it to finishRestore.
                trials[d.trial].job = job
                trials[d.trial].status = .running
            }
        case .decision:
            break  // taken again, and checked, at its metric
        case .jobStarted(let t, let w, _, _, _):
            try known(t, event)
            trials[t].lastEventTime = event.time
            trials[t].lastEventSeq = event.seq
            if trials[t].job == nil {
                trials[t].job = scheduler.resumeJob(for: t)
                trials[t].pendingJob = false
                queued.removeAll { $0 == t }
            }
            if w >= slots.count { slots.append(contentsOf: repeatElement(nil, count: w + 1 - slots.count)) }
            trials[t].status = .running
            trials[t].worker = w
            slots[w] = t
            runningCount += 1
        case .metric(let t, let r, let v):
            try known(t, event)
            trials[t].lastEventTime = event.time
            trials[t].lastEventSeq = event.seq
            reports += 1
            trials[t].resource = r
            guard v.isFinite else { return }  // the `failed` event that follows ends it
            let decisions = scheduler.reportAll(trial: t, resource: r, value: v)
            var jobOver = false
            if let d = decisions.last {
                switch d.action {
                case .stop: trials[t].status = .stopped
                case .complete: trials[t].status = .completed
                case .wait:
                    trials[t].status = .waiting
                    jobOver = true
                case .continue, .promote: break
                }
                if d.action != .continue { trials[t].job = nil }
            }
            if !jobOver, let job = trials[t].job, r >= job.toResource {
                trials[t].status = .waiting
                trials[t].job = nil
            }
        case .jobEnded(let t, let w):
            try known(t, event)
            if slots.indices.contains(w) { slots[w] = nil }
            trials[t].worker = nil
            runningCount -= 1
        case .trialPaused(let t, _):
            try known(t, event)
            if trials[t].status == .running, trials[t].job != nil {
                scheduler.jobInterrupted(t)
                trials[t].job = nil
                trials[t].pendingJob = true
            }
            queued.removeAll { $0 == t }
            trials[t].status = .paused
        case .trialResumed(let t, _):
            try known(t, event)
            if trials[t].pendingJob {
                trials[t].status = .queued
                queued.append(t)
            } else {
                trials[t].status = .waiting
            }
        case .trialKilled(let t):
            try known(t, event)
            trials[t].status = .killed
            trials[t].job = nil
            queued.removeAll { $0 == t }
            scheduler.trialEnded(t, outcome: .killed)
        case .trialCompleted(let t, _, _):
            try known(t, event)
            trials[t].status = .completed
        case .trialFailed(let t, _):
            try known(t, event)
            trials[t].status = .failed
            trials[t].job = nil
            scheduler.trialEnded(t, outcome: .failed)
        case .newBest(let t, let r, let v):
            try known(t, event)
            best = RunSummary.Best(trial: t, value: v, resource: r, config: trials[t].config)
        case .runPaused: runPaused = true
        case .runResumed: runPaused = false
        case .workersChanged(let n, _):
            slotLimit = n
            if slots.count < n { slots.append(contentsOf: repeatElement(nil, count: n - slots.count)) }
        case .message: break
        case .runEnded(let reason):
            endReason = reason
            restoredEndReason = reason
        case .runContinued: restoredEndReason = nil
        }
    }

    private func known(_ t: TrialID, _ event: RunEvent) throws(RestoreError) {
        guard trials.indices.contains(t) else {
            throw RestoreError("event \(event.seq) names trial \(t), which was never sampled")
        }
    }

    /// After the last event: jobs that were running when the process died, and trials paused (by the
    /// user or by a stop), continue; the run is no longer paused or ended; the resume is recorded.
    func finishRestore(eventsRead: Int) {
        // Jobs in flight at the end of the log, in the order their last steps began: the simulated clock
        // continues each on its worker from that moment, so its next step ends when it would have.
        inFlight = trials.indices.filter { trials[$0].status == .running && trials[$0].worker != nil }
            .sorted { trials[$0].lastEventSeq < trials[$1].lastEventSeq }
            .map { (trial: $0, worker: trials[$0].worker!, since: trials[$0].lastEventTime) }
        for t in trials.indices where trials[t].status == .running || trials[t].status == .paused {
            if trials[t].status == .running, trials[t].job != nil {
                scheduler.jobInterrupted(t)
                trials[t].job = nil
                trials[t].pendingJob = true
            }
            trials[t].worker = nil
            if trials[t].pendingJob {
                trials[t].status = .queued
                if !queued.contains(t) { queued.append(t) }
            } else {
                trials[t].status = .waiting
            }
        }
        for t in trials.indices where trials[t].status == .queued && !queued.contains(t) { queued.append(t) }
        slots = Array(repeating: nil, count: slotLimit)
        runningCount = 0
        runPaused = false
        endReason = nil
        stopReason = nil
        restoredEvents = eventsRead
    }
}

extension RunCore {
    /// Continues an in-flight job of a restored run on its old worker (simulated clock), or nil when the
    /// worker is taken or the trial cannot run.
    func resumeInFlight(trial t: TrialID, worker: Int) -> Assignment? {
        guard worker < slots.count, slots[worker] == nil, trials[t].status == .queued else { return nil }
        queued.removeAll { $0 == t }
        return startJob(trial: t, worker: worker)
    }
}
