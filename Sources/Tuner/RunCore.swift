import ASHA
import DequeModule
import Objectives
import RunLog

/// The run's state machine: the scheduler, the trials, the worker slots, and the events they produce.
///
/// Not thread-safe: a backend serializes every call (the Dispatch pool behind a lock, the simulated
/// clock on one thread), so the order of events is defined here and only here. Every change of state
/// is recorded as a `RunEvent` and handed to the sinks in order.
final class RunCore {
    var scheduler: ASHAScheduler
    let objective: any Objective
    let options: TunerOptions
    let info: RunInfo
    var sinks: [any EventSink]
    /// Where idle trials' checkpoints go, when the options name a directory.
    private let spill: CheckpointSpill?

    var trials: [TrialRecord] = []
    /// The trial each worker slot runs, or nil when the slot is free.
    var slots: [TrialID?]
    /// How many slots may run jobs; slots at or above it finish their job and stay empty.
    var slotLimit: Int
    /// Trials the user resumed, waiting for a free slot, oldest first.
    var queued = Deque<TrialID>()
    var runPaused = false
    var stopReason: String?
    var endReason: String?
    var best: RunSummary.Best?
    var reports = 0
    var seq = 0
    var now = 0.0
    private var busySeconds = 0.0
    private var capacitySeconds = 0.0
    var lastTick = 0.0
    var runningCount = 0
    /// Where trials' checkpoints are kept, if anywhere.
    var checkpoints: CheckpointStore?
    /// Jobs that failed since the last job that ended well (for `maxFailures`), and the last reason.
    var failuresInARow = 0
    var lastFailure: String?
    /// Set when the run stopped because of `maxFailures`.
    var stoppedByFailures = false

    init(objective: any Objective, scheduler: ASHAScheduler, options: TunerOptions, sinks: [any EventSink]) {
        self.objective = objective
        self.scheduler = scheduler
        self.options = options
        self.sinks = sinks
        spill = options.spillDirectory.map { CheckpointSpill(directory: $0) }
        let workers = max(1, options.workers)
        slots = Array(repeating: nil, count: workers)
        slotLimit = workers
        info = RunInfo(
            name: options.name, objective: objective.name, metric: objective.metric, goal: scheduler.settings.goal,
            settings: scheduler.settings, ladders: scheduler.ladders, workers: workers,
            maxSeconds: options.maxSeconds, parameters: scheduler.space.parameters.map(\.name))
    }

    var isEnded: Bool { endReason != nil }

    /// Advances the clock that stamps events (wall or simulated seconds since the start).
    func tick(_ time: Double) {
        let t = max(time, now)
        capacitySeconds += Double(slotLimit) * (t - lastTick)
        lastTick = t
        now = t
    }

    func emit(_ body: RunEvent.Body) {
        let event = RunEvent(seq: seq, time: now, body: body)
        seq += 1
        for sink in sinks { sink.receive(event) }
    }

    /// Events restored from a log before this run went on (0 for a new run).
    var restoredEvents = 0
    /// Jobs that were running at the end of a restored log (see `finishRestore`).
    var inFlight: [(trial: TrialID, worker: Int, since: Double)] = []
    /// Why the restored run had ended (nil if it had not, or was resumed since).
    var restoredEndReason: String?

    /// Records the start: a new run's description, or a resumed run's continuation.
    func start() {
        if restoredEvents > 0 {
            emit(.runContinued(events: restoredEvents))
        } else {
            emit(.runStarted(info))
        }
    }

    // MARK: - Jobs

    /// Work for a free slot, or nil: the run is paused or stopping, the slot is above the limit, or the
    /// scheduler has nothing to start now.
    func assign(worker: Int) -> Assignment? {
        guard endReason == nil, stopReason == nil, !runPaused, worker < slotLimit, slots[worker] == nil else {
            return nil
        }
        if let t = queued.popFirst() {
            if let a = startJob(trial: t, worker: worker) { return a }
        }
        while let job = scheduler.nextJob() {
            if job.isNew {
                let config = scheduler.configuration(of: job.trial) ?? Configuration([])
                precondition(job.trial == trials.count, "trial ids are dense")
                trials.append(TrialRecord(id: job.trial, bracket: job.bracket, config: config))
                emit(.trialSampled(trial: job.trial, bracket: job.bracket, config: config))
                if !makeModel(job.trial) { continue }
            }
            if let promotion = job.promotion { emit(.decision(promotion)) }
            if trials[job.trial].status == .paused {
                // Promoted while the user holds it: the job waits until the user resumes the trial.
                scheduler.jobInterrupted(job.trial)
                trials[job.trial].pendingJob = true
                continue
            }
            trials[job.trial].job = job
            if let a = startJob(trial: job.trial, worker: worker) { return a }
        }
        return nil
    }

    /// Makes a fresh model for the trial; on failure the trial fails and the result is false.
    private func makeModel(_ t: TrialID) -> Bool {
        do {
            trials[t].model = try objective.makeTrial(
                config: trials[t].config, seed: trialSeed(runSeed: scheduler.settings.seed, trial: t), trial: t)
            trials[t].modelResource = trials[t].model?.resource ?? 0
            return true
        } catch {
            fail(t, reason: "could not start: \(error)")
            return false
        }
    }

    /// After a resume, a trial's model comes from its checkpoint; without a usable one it trains again
    /// from zero (silently up to the resource already recorded), and a message says why.
    private func restoreModel(_ t: TrialID) -> Bool {
        var why = "no checkpoint store"
        let seed = trialSeed(runSeed: scheduler.settings.seed, trial: t)
        do {
            // An objective that keeps its own checkpoints (a command's checkpoint directory) continues there.
            if let model = try objective.continueTrial(
                config: trials[t].config, seed: seed, trial: t, resource: trials[t].resource)
            {
                trials[t].model = model
                trials[t].modelResource = model.resource
                return true
            }
        } catch {
            emit(.message(trial: t, text: "\(error); training again from zero to resource \(trials[t].resource)"))
            return makeModel(t)
        }
        if let store = checkpoints {
            switch store.load(trial: t) {
            case .success(let bytes):
                do {
                    let model = try objective.restoreTrial(
                        config: trials[t].config, seed: trialSeed(runSeed: scheduler.settings.seed, trial: t),
                        checkpoint: bytes)
                    if model.resource <= trials[t].resource {
                        trials[t].model = model
                        trials[t].modelResource = model.resource
                        return true
                    }
                    why = "checkpoint is ahead of the log (resource \(model.resource))"
                } catch {
                    why = "checkpoint unusable: \(error)"
                }
            case .failure(let missing): why = missing.reason
            }
        }
        emit(.message(trial: t, text: "\(why); training again from zero to resource \(trials[t].resource)"))
        return makeModel(t)
    }

    private func saveCheckpoint(_ t: TrialID) {
        guard let store = checkpoints, let bytes = trials[t].model?.checkpoint() else { return }
        store.save(trial: t, bytes: bytes)
    }

    func startJob(trial t: TrialID, worker: Int) -> Assignment? {
        if trials[t].releasing {
            // Its last job's process is still ending: the job starts as soon as it is gone (finishJob).
            trials[t].startAfterRelease = true
            return nil
        }
        if trials[t].spilled {
            if !unspill(t) { return nil }
        } else if trials[t].model == nil, !restoreModel(t) {
            return nil
        }
        if trials[t].job == nil {
            trials[t].job = scheduler.resumeJob(for: t)
            trials[t].pendingJob = false
        }
        guard let job = trials[t].job, let model = trials[t].model else { return nil }
        trials[t].status = .running
        trials[t].worker = worker
        trials[t].jobStartedAt = now
        trials[t].stepStartedAt = now
        model.jobStarting(worker: worker, target: job.toResource)
        slots[worker] = t
        runningCount += 1
        emit(
            .jobStarted(
                trial: t, worker: worker, rung: job.rung, fromResource: trials[t].resource,
                toResource: job.toResource))
        return Assignment(trial: t, worker: worker, model: model, target: job.toResource)
    }

    /// A running trial reports a step. Returns true when its job should train another step.
    func report(trial t: TrialID, step: Step, seconds: Double) -> Bool {
        trials[t].stepStartedAt = now
        if trials[t].timeLimitHit, let limit = options.trialTimeLimit {
            fail(t, reason: "exceeded its time limit of \(formatShort(limit)) s")
            return false
        }
        if step.resource <= trials[t].modelResource {
            fail(t, reason: "the objective's step did not advance its resource (\(step.resource))")
            return false
        }
        trials[t].modelResource = step.resource
        if step.resource <= trials[t].resource {
            // Catching up after a restart from an older checkpoint: these steps were recorded already.
            trials[t].trainingSeconds += seconds
            return true
        }
        reports += 1
        trials[t].resource = step.resource
        trials[t].trainingSeconds += seconds
        emit(.metric(trial: t, resource: step.resource, value: step.value))
        if !step.value.isFinite {
            fail(t, reason: "metric was \(formatShort(step.value)) at resource \(step.resource)")
            return false
        }
        var jobOver = false
        // A report that skips rungs gets a decision at each rung it crossed, in order.
        let decisions = scheduler.reportAll(trial: t, resource: step.resource, value: step.value)
        for d in decisions {
            emit(.decision(d))
            considerBest(trial: t, resource: d.resource, value: d.value)
        }
        if !decisions.isEmpty, decisions.last?.action != .stop, decisions.last?.action != .complete {
            saveCheckpoint(t)
        }
        if let d = decisions.last {
            switch d.action {
            case .stop:
                trials[t].status = .stopped
                trials[t].job = nil
                return false
            case .complete:
                trials[t].status = .completed
                trials[t].job = nil
                emit(.trialCompleted(trial: t, resource: step.resource, value: step.value))
                return false
            case .wait:
                trials[t].status = .waiting
                trials[t].job = nil
                jobOver = true
            case .continue, .promote:
                break
            }
        }
        if !jobOver, let job = trials[t].job, step.resource >= job.toResource {
            // The scheduler took no decision at the target: the job is over all the same.
            trials[t].status = .waiting
            trials[t].job = nil
            jobOver = true
        }
        if trials[t].killRequested {
            kill(t)
            return false
        }
        if let limit = options.trialTimeLimit, trials[t].trainingSeconds > limit, !jobOver {
            fail(t, reason: "exceeded its time limit of \(formatShort(limit)) s")
            return false
        }
        if trials[t].pauseRequested {
            trials[t].pauseRequested = false
            if !jobOver { interrupt(t) }
            trials[t].status = .paused
            emit(.trialPaused(trial: t, by: .user))
            return false
        }
        if jobOver { return false }
        if stopReason != nil {
            interrupt(t)
            trials[t].status = .paused
            emit(.trialPaused(trial: t, by: .tuner))
            return false
        }
        return true
    }

    /// The trial's job stops before its target; the scheduler will give it again on resume.
    private func interrupt(_ t: TrialID) {
        saveCheckpoint(t)
        scheduler.jobInterrupted(t)
        trials[t].job = nil
        trials[t].pendingJob = true
    }

    /// The trial's objective threw (a trial the user killed mid-step, whose `cancel()` made the step
    /// throw, is recorded as killed).
    func stepFailed(trial t: TrialID, error: any Error) {
        if trials[t].killRequested {
            kill(t)
        } else if trials[t].timeLimitHit, let limit = options.trialTimeLimit {
            fail(t, reason: "exceeded its time limit of \(formatShort(limit)) s")
        } else if trials[t].stopInterrupted, trials[t].status == .running {
            // The run is stopping and cancelled the step: the job is interrupted, to go on after a resume.
            interrupt(t)
            trials[t].status = .paused
            emit(.trialPaused(trial: t, by: .tuner))
        } else {
            fail(t, reason: "\(error)")
        }
    }

    /// Cancels the steps that have run longer than the trial time limit allows (the dispatch backend's
    /// timer calls it): the trial fails when its step returns.
    func enforceTrialTimeLimit() {
        guard let limit = options.trialTimeLimit else { return }
        for case let t? in slots where trials[t].status == .running && !trials[t].timeLimitHit {
            if trials[t].trainingSeconds + (now - trials[t].stepStartedAt) > limit {
                trials[t].timeLimitHit = true
                trials[t].model?.cancel()
            }
        }
    }

    /// What comes after the trial's job, for its objective.
    func fate(of t: TrialID) -> TrialFate {
        switch trials[t].status {
        case .completed: return .completed
        case .stopped, .failed, .killed: return .ended
        case .running, .paused, .waiting, .queued: return .continues
        }
    }

    /// The slot's job is over (whatever ended it); the slot is free.
    func finishJob(worker: Int, trial t: TrialID) {
        if !stoppedByFailures, [.waiting, .completed, .stopped, .paused].contains(trials[t].status) {
            failuresInARow = 0
        }
        trials[t].releasing = false
        if trials[t].startAfterRelease {
            trials[t].startAfterRelease = false
            if !trials[t].isFinal, !queued.contains(t) { queued.prepend(t) }
        }
        slots[worker] = nil
        trials[t].worker = nil
        runningCount -= 1
        busySeconds += now - trials[t].jobStartedAt
        emit(.jobEnded(trial: t, worker: worker))
        if trials[t].isFinal {
            release(t)
        } else {
            spillIfEnabled(t)
        }
    }

    /// Drops a final trial's state: nothing trains it again.
    private func release(_ t: TrialID) {
        trials[t].model?.cancel()
        trials[t].model = nil
        if trials[t].spilled {
            trials[t].spilled = false
            spill?.remove(trial: t)
        }
    }

    /// Moves an idle trial's state to the spill, if there is one and the objective can checkpoint it.
    private func spillIfEnabled(_ t: TrialID) {
        guard let spill, let model = trials[t].model, let bytes = model.checkpoint() else { return }
        if spill.write(trial: t, bytes: bytes) {
            trials[t].model = nil
            trials[t].spilled = true
        }
    }

    /// Brings a spilled trial's state back; a trial that cannot be restored fails. Returns true when restored.
    private func unspill(_ t: TrialID) -> Bool {
        trials[t].spilled = false
        guard let bytes = spill?.take(trial: t) else {
            fail(t, reason: "could not read its spilled checkpoint")
            return false
        }
        do {
            trials[t].model = try objective.restoreTrial(
                config: trials[t].config, seed: trialSeed(runSeed: scheduler.settings.seed, trial: t), checkpoint: bytes
            )
        } catch {
            fail(t, reason: "could not restore its spilled checkpoint: \(error)")
            return false
        }
        trials[t].modelResource = trials[t].model?.resource ?? 0
        return true
    }

    private func fail(_ t: TrialID, reason: String) {
        trials[t].status = .failed
        trials[t].job = nil
        scheduler.trialEnded(t, outcome: .failed)
        emit(.trialFailed(trial: t, reason: reason))
        failuresInARow += 1
        lastFailure = reason
        if let limit = options.maxFailures, failuresInARow >= limit, stopReason == nil {
            stoppedByFailures = true
            stopReason = "\(failuresInARow) trials failed in a row (budget.max_failures)"
            emit(
                .message(trial: t, text: "the run stops: \(failuresInARow) trials failed in a row; the last: \(reason)")
            )
            stopRunningSteps()
        }
    }

    /// Cancels the steps running now because the run is stopping: an external program is ended at once
    /// (its trial is paused by the tuner when its step returns); an in-process step finishes first.
    private func stopRunningSteps() {
        for case let t? in slots where trials[t].status == .running && !trials[t].stopInterrupted {
            trials[t].stopInterrupted = true
            trials[t].model?.cancel()
        }
    }

    private func kill(_ t: TrialID) {
        trials[t].status = .killed
        trials[t].job = nil
        trials[t].killRequested = false
        queued.removeAll { $0 == t }
        scheduler.trialEnded(t, outcome: .killed)
        emit(.trialKilled(trial: t))
        if trials[t].worker == nil { release(t) }
    }

    /// The incumbent is the best value at the highest resource any rung decision has seen.
    private func considerBest(trial t: TrialID, resource: Int, value: Double) {
        guard value.isFinite else { return }
        if let b = best {
            guard
                resource > b.resource
                    || (resource == b.resource && scheduler.settings.goal.isBetter(value, than: b.value))
            else { return }
        }
        best = RunSummary.Best(trial: t, value: value, resource: resource, config: trials[t].config)
        emit(.newBest(trial: t, resource: resource, value: value))
    }

    // MARK: - Commands

    /// Applies a command; the events it causes say what happened. Commands about unknown or finished
    /// trials change nothing.
    func apply(_ command: Command) {
        guard endReason == nil else { return }
        switch command {
        case .pauseTrial(let t):
            guard trials.indices.contains(t) else { return }
            switch trials[t].status {
            case .running: trials[t].pauseRequested = true
            case .waiting:
                if trials[t].startAfterRelease, trials[t].job != nil {
                    // Promoted while its last job's process was ending: the promotion waits for a resume.
                    trials[t].startAfterRelease = false
                    interrupt(t)
                }
                trials[t].status = .paused
                emit(.trialPaused(trial: t, by: .user))
            case .queued:
                queued.removeAll { $0 == t }
                trials[t].status = .paused
                emit(.trialPaused(trial: t, by: .user))
            default: return
            }
        case .resumeTrial(let t):
            guard trials.indices.contains(t) else { return }
            switch trials[t].status {
            case .running: trials[t].pauseRequested = false
            case .paused:
                if trials[t].pendingJob {
                    trials[t].status = .queued
                    queued.append(t)
                } else {
                    trials[t].status = .waiting
                }
                emit(.trialResumed(trial: t, by: .user))
            default: return
            }
        case .killTrial(let t):
            guard trials.indices.contains(t), !trials[t].isFinal else { return }
            if trials[t].status == .running {
                trials[t].killRequested = true
                trials[t].model?.cancel()
            } else {
                kill(t)
            }
        case .pauseRun:
            guard !runPaused else { return }
            runPaused = true
            emit(.runPaused(by: .user))
        case .resumeRun:
            guard runPaused else { return }
            runPaused = false
            emit(.runResumed(by: .user))
        case .setWorkers(let n):
            let count = min(max(1, n), options.maxWorkers ?? 512)
            guard count != slotLimit else { return }
            slotLimit = count
            if slots.count < count { slots.append(contentsOf: repeatElement(nil, count: count - slots.count)) }
            emit(.workersChanged(count: count, by: .user))
        case .stopRun(let reason):
            if stopReason == nil { stopReason = reason }
            stopRunningSteps()
        }
    }

    /// Ends the run when nothing runs and nothing more can: stopped, finished, or out of time.
    /// Returns true when the run has ended.
    @discardableResult
    func endIfDone() -> Bool {
        if endReason != nil { return true }
        if let limit = options.maxSeconds, now >= limit, stopReason == nil { stopReason = "time budget" }
        guard runningCount == 0 else { return false }
        if let reason = stopReason {
            end(reason)
            return true
        }
        if runPaused { return false }
        let heldByUser = trials.contains { $0.status == .paused || $0.status == .queued }
        if heldByUser { return false }
        if scheduler.isFinished {
            end("finished")
            return true
        }
        return false
    }

    /// Ends the run when nothing runs, nothing could be assigned to a free slot, and nothing waits on the
    /// user: the scheduler has no more work (a guard against waiting forever).
    func endIfStarved() {
        guard endReason == nil, runningCount == 0, !runPaused, queued.isEmpty else { return }
        if trials.contains(where: { $0.status == .paused }) { return }
        end(stopReason ?? "nothing left to run")
    }

    private func end(_ reason: String) {
        endReason = reason
        // Nothing trains again: drop every model (an external command's process ends with it).
        for t in trials.indices where trials[t].worker == nil {
            trials[t].model?.cancel()
            trials[t].model = nil
        }
        objective.runEnded()
        emit(.runEnded(reason: reason))
        spill?.removeAll()
    }

    /// The summary of the run so far.
    func summary() -> RunSummary {
        var counts: [TrialStatus: Int] = [:]
        for t in trials { counts[t.status, default: 0] += 1 }
        let utilization = capacitySeconds > 0 ? min(1, busySeconds / capacitySeconds) : 0
        return RunSummary(
            counts: counts, best: best, endReason: endReason, seconds: now, reports: reports,
            utilization: utilization)
    }
}
