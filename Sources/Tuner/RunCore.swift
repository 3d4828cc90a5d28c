import ASHA
import DequeModule
import Foundation
import ObjectiveProtocol
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
    /// The sinks, in the order they were added, but for those that read the state: those see each
    /// event after the others, with the state lent (`FoldReadingSink`).
    private(set) var sinks: [any EventSink] = []
    private(set) var foldReaders: [any FoldReadingSink] = []
    /// Idle trials' state waits in the checkpoint store, not in memory (the options name a directory).
    private let spillEnabled: Bool
    /// The store for spilling when the run keeps no checkpoints of its own (made on first use, removed
    /// at the end).
    private var privateStore: CheckpointStore?

    /// The run's state (trials, statuses, workers, best, counters): changed only by the events this core
    /// emits (`emit` applies each before the sinks see it) or restores from a log.
    private(set) var state = RunState()
    /// What the tuner keeps per trial beyond the run's state (models, jobs, requests), by trial id.
    var records: [TrialRecord] = []
    var stopReason: EndReason?
    var seq = 0
    /// The clock that stamps events (wall or simulated seconds since the start).
    var now = 0.0
    /// Seconds of run time before this process took over (a resumed run's clock goes on from its log).
    var clockOffset = 0.0
    /// Where trials' checkpoints are kept, if anywhere.
    var checkpoints: CheckpointStore?
    /// Which checkpoints `checkpoints` keeps once the run has ended.
    var keeping: KeepCheckpoints = .best
    /// Jobs that failed since the last job that ended well (for `maxFailures`), and the last reason.
    var failuresInARow = 0
    var lastFailure: String?
    /// Set when the run stopped because of `maxFailures`.
    var stoppedByFailures = false
    /// Trials promoted while their last job's process was ending, to start once it is gone, oldest first.
    var dueAfterRelease = Deque<TrialID>()
    /// Worker slots whose last job has ended but whose trial is still releasing what the job held (its
    /// process): no job is assigned to them, and the run does not end, until it is released.
    var draining: Set<Int> = []

    init(objective: any Objective, scheduler: ASHAScheduler, options: TunerOptions, sinks: [any EventSink]) {
        self.objective = objective
        self.scheduler = scheduler
        self.options = options
        spillEnabled = options.spillDirectory != nil
        let workers = max(1, options.workers)
        info = RunInfo(
            name: options.name, objective: objective.name, metric: objective.metric, goal: scheduler.settings.goal,
            settings: scheduler.settings, ladders: scheduler.ladders, workers: workers,
            maxSeconds: options.maxSeconds, parameters: scheduler.space.parameters.map(\.name),
            workerDevices: options.workerDevices, executor: options.executor)
        for sink in sinks { addSink(sink) }
    }

    var isEnded: Bool { state.isEnded }

    /// Advances the clock that stamps events.
    func tick(_ time: Double) {
        now = max(time, now)
    }

    /// Records a fact: applies it to the run's state, then hands it to the sinks.
    func emit(_ body: RunEvent.Body) {
        let event = RunEvent(seq: seq, time: now, body: body)
        seq += 1
        let violation = state.apply(event)
        assert(violation == nil, "the tuner emitted an event its own state calls illegal: \(violation!)")
        for sink in sinks { sink.receive(event) }
        for sink in foldReaders { sink.receive(event, folded: state) }
    }

    /// Adds a sink: one that reads the state gets it lent with each event.
    func addSink(_ sink: any EventSink) {
        if let reader = sink as? any FoldReadingSink { foldReaders.append(reader) } else { sinks.append(sink) }
    }

    /// Applies a logged event while restoring (`restore(_:)` has checked the scheduler's answers).
    func applyRestored(_ event: RunEvent) -> RunState.Violation? { state.apply(event) }

    /// Events restored from a log before this run went on (0 for a new run).
    var restoredEvents = 0
    /// Jobs that were running at the end of a restored log (see `finishRestore`).
    var inFlight: [(trial: TrialID, worker: Int, since: Double)] = []
    /// Why the restored run had ended (nil if it had not, or was resumed since).
    var restoredEndReason: EndReason?
    /// Events the scheduler's answers to a restored log imply and the log does not hold yet: the
    /// decisions (and what follows them) after a metric, while restoring; those a crash cut off are
    /// recorded when the run goes on.
    var owed: [RunEvent.Body] = []

    /// Records the start: a new run's description, or a resumed run's continuation.
    func start() {
        if restoredEvents > 0 {
            let cut = owed
            owed = []
            for body in cut { emit(body) }
            emit(.runContinued(events: restoredEvents + cut.count))
        } else {
            emit(.runStarted(info))
        }
    }

    // MARK: - Jobs

    /// Trials that fail as they are made, one after another within one search for work, after which the run
    /// stops whatever `max_failures` says.
    static let unmadeInARowLimit = 10_000

    /// Work for a free slot, or nil: the run is paused or stopping, the slot is above the limit, or the
    /// scheduler has nothing to start now.
    func assign(worker: Int) -> Assignment? {
        guard !state.isEnded, stopReason == nil, !state.runPaused, worker < state.workerLimit,
            worker < state.slots.count, state.slots[worker] == nil, !draining.contains(worker)
        else {
            return nil
        }
        while let t = dueAfterRelease.popFirst() {
            if let a = startJob(trial: t, worker: worker) { return a }
        }
        if let t = state.queued.first, !records[t].releasing {
            if let a = startJob(trial: t, worker: worker) { return a }
            // Never left in the queue (it would be asked for again and again).
            if state.trials[t].status == .queued { fail(t, reason: "the scheduler has no job to continue it") }
        }
        var unmade = 0
        while let job = scheduler.nextJob() {
            if job.isNew {
                let config = scheduler.configuration(of: job.trial) ?? Configuration([])
                precondition(job.trial == records.count, "trial ids are dense")
                records.append(TrialRecord())
                // The model is made before the event, so the event can carry the objective's note on it.
                let made = makeModelQuietly(job.trial, config: config)
                let detail = SampleDetail(
                    origin: scheduler.sampleOrigin(of: job.trial), note: records[job.trial].model?.note)
                emit(.trialSampled(trial: job.trial, bracket: job.bracket, config: config, detail: detail))
                if let error = made {
                    fail(job.trial, reason: "could not start: \(error)")
                    // `max_failures` stopped the run: sample no more (each would fail the same way, and
                    // with no trial budget this loop would never end, holding the core's lock).
                    if stopReason != nil { return nil }
                    unmade += 1
                    if unmade >= Self.unmadeInARowLimit {
                        // Even with max_failures 0 (never stop), a sampling loop whose every trial is refused
                        // as it is made would never end, and holds the lock: the run stops, saying why.
                        stopReason = .other(
                            "\(unmade) trials in a row could not be made (every configuration sampled was refused)")
                        emit(
                            .message(
                                trial: job.trial,
                                text: "the run stops: \(unmade) trials in a row could not be made; the last: \(error)"))
                        stopRunningSteps()
                        return nil
                    }
                    continue
                }
            }
            if let promotion = job.promotion { emit(.decision(promotion)) }
            if state.trials[job.trial].status == .paused {
                // Promoted while the user holds it: the job waits until the user resumes the trial.
                scheduler.jobInterrupted(job.trial)
                continue
            }
            records[job.trial].job = job
            if let a = startJob(trial: job.trial, worker: worker) { return a }
        }
        return nil
    }

    private func seed(_ t: TrialID) -> UInt64 { trialSeed(runSeed: scheduler.settings.seed, trial: t) }

    /// Makes a fresh model for the trial; on failure the trial fails and the result is false.
    private func makeModel(_ t: TrialID) -> Bool {
        guard let error = makeModelQuietly(t, config: state.trials[t].config) else { return true }
        fail(t, reason: "could not start: \(error)")
        return false
    }

    /// Makes a fresh model for the trial; returns the error when the objective could not make one.
    private func makeModelQuietly(_ t: TrialID, config: Configuration) -> (any Error)? {
        do {
            records[t].model = try objective.makeTrial(config: config, seed: seed(t), trial: t)
            records[t].modelResource = records[t].model?.resource ?? 0
            return nil
        } catch {
            return error
        }
    }

    /// After a resume, a trial's model comes from its checkpoint; without a usable one it trains again
    /// from zero (silently up to the resource already recorded), and a message says why.
    private func restoreModel(_ t: TrialID) -> Bool {
        var why = "no checkpoint store"
        let recorded = state.trials[t].lastResource
        do {
            // An objective that keeps its own checkpoints (a command's checkpoint directory) continues there.
            if let model = try objective.continueTrial(
                config: state.trials[t].config, seed: seed(t), trial: t, resource: recorded)
            {
                records[t].model = model
                records[t].modelResource = model.resource
                return true
            }
        } catch {
            emit(.message(trial: t, text: "\(error); training again from zero to resource \(recorded)"))
            return makeModel(t)
        }
        if let store = checkpoints {
            switch store.load(trial: t) {
            case .success(let bytes):
                do {
                    let model = try objective.restoreTrial(
                        config: state.trials[t].config, seed: seed(t), checkpoint: bytes)
                    if model.resource <= recorded {
                        records[t].model = model
                        records[t].modelResource = model.resource
                        return true
                    }
                    why = "checkpoint is ahead of the log (resource \(model.resource))"
                } catch {
                    why = "checkpoint unusable: \(error)"
                }
            case .failure(let missing): why = missing.reason
            }
        }
        emit(.message(trial: t, text: "\(why); training again from zero to resource \(recorded)"))
        return makeModel(t)
    }

    /// The store idle trials spill to: the run's own, else a private one in the spill directory.
    private var spillStore: CheckpointStore? {
        guard spillEnabled else { return nil }
        if let checkpoints { return checkpoints }
        if privateStore == nil, let dir = options.spillDirectory {
            let name = "checkpoints-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).spill"
            // Memory only: the file is deleted at the end and never read by a resume, so it is never synced.
            privateStore = try? CheckpointStore(directory: dir, fileName: name, sync: { _ in 0 })
        }
        return privateStore
    }

    /// Queues the trial's checkpoint in the run's store (a newer one replaces one not yet written).
    private func saveCheckpoint(_ t: TrialID) {
        guard let store = checkpoints, let bytes = records[t].model?.checkpoint() else { return }
        store.save(trial: t, bytes: bytes)
        records[t].savedResource = records[t].modelResource
    }

    func startJob(trial t: TrialID, worker: Int) -> Assignment? {
        if records[t].releasing {
            // Its last job's process is still ending: the job starts as soon as it is gone (finishJob).
            records[t].startAfterRelease = true
            return nil
        }
        if records[t].spilled {
            if !unspill(t) { return nil }
        } else if records[t].model == nil, !restoreModel(t) {
            return nil
        }
        if records[t].job == nil { records[t].job = scheduler.resumeJob(for: t) }
        guard let job = records[t].job, let model = records[t].model else { return nil }
        records[t].stepStartedAt = now
        model.jobStarting(worker: worker, target: job.toResource)
        emit(
            .jobStarted(
                trial: t, worker: worker, rung: job.rung, fromResource: state.trials[t].lastResource,
                toResource: job.toResource))
        return Assignment(trial: t, worker: worker, model: model, target: job.toResource)
    }

    /// The events that record the scheduler's decisions about a report of `value` at `resource`: each
    /// decision, each new best it makes (the best value at the highest resource a rung decision has
    /// seen), and the completion when the last decision completes the trial. The live run emits them; a
    /// resumed run expects them next in the log.
    static func events(
        recording decisions: [Decision], trial t: TrialID, resource: Int, value: Double, best: RunSummary.Best?,
        goal: Goal
    ) -> [RunEvent.Body] {
        var out: [RunEvent.Body] = []
        var best = best.map { (resource: $0.resource, value: $0.value) }
        for d in decisions {
            out.append(.decision(d))
            guard d.value.isFinite else { continue }
            if let b = best,
                !(d.resource > b.resource || (d.resource == b.resource && goal.isBetter(d.value, than: b.value)))
            {
                continue
            }
            best = (d.resource, d.value)
            out.append(.newBest(trial: t, resource: d.resource, value: d.value))
        }
        if decisions.last?.action == .complete {
            out.append(.trialCompleted(trial: t, resource: resource, value: value))
        }
        return out
    }

    /// A running trial reports a step. Returns true when its job should train another step.
    func report(trial t: TrialID, step: Step, seconds: Double) -> Bool {
        records[t].stepStartedAt = now
        if records[t].timeLimitHit, let limit = options.trialTimeLimit {
            fail(t, reason: "exceeded its time limit of \(formatShort(limit)) s")
            return false
        }
        if step.resource <= records[t].modelResource {
            fail(t, reason: "the objective's step did not advance its resource (\(step.resource))")
            return false
        }
        records[t].modelResource = step.resource
        records[t].trainingSeconds += seconds
        // Catching up after a restart from an older checkpoint: these steps were recorded already.
        if step.resource <= state.trials[t].lastResource { return true }
        emit(.metric(trial: t, resource: step.resource, value: step.value))
        if !step.value.isFinite {
            fail(t, reason: "metric was \(formatShort(step.value)) at resource \(step.resource)")
            return false
        }
        // A report that skips rungs gets a decision at each rung it crossed, in order.
        let decisions = scheduler.reportAll(trial: t, resource: step.resource, value: step.value)
        let recorded = Self.events(
            recording: decisions, trial: t, resource: step.resource, value: step.value, best: state.best,
            goal: scheduler.settings.goal)
        let bestBefore = state.best?.trial
        for body in recorded { emit(body) }
        if let old = bestBefore, old != state.best?.trial, state.trials[old].status.isFinal {
            checkpoints?.remove(trial: old)  // no longer the best: nothing continues it
        }
        let status = state.trials[t].status
        if status.isFinal {
            // The best's final checkpoint is what `keep_checkpoints: best` keeps at the end.
            if status == .completed, state.best?.trial == t {
                saveCheckpoint(t)
                checkpoints?.commitSoon()  // a trial's end the log is flushed for: the batch follows at once
            }
            records[t].job = nil  // stopped or completed at a rung
            return false
        }
        if !decisions.isEmpty { saveCheckpoint(t) }
        // Waiting at a rung, or at its target without a decision: the job is over.
        let jobOver = status == .waiting
        if jobOver { records[t].job = nil }
        if records[t].killRequested {
            kill(t)
            return false
        }
        if let limit = options.trialTimeLimit, records[t].trainingSeconds > limit, !jobOver {
            fail(t, reason: "exceeded its time limit of \(formatShort(limit)) s")
            return false
        }
        if records[t].pauseRequested {
            records[t].pauseRequested = false
            if !jobOver { interrupt(t) }
            emit(.trialPaused(trial: t, by: .user))
            return false
        }
        if jobOver { return false }
        if stopReason != nil {
            interrupt(t)
            emit(.trialPaused(trial: t, by: .tuner))
            return false
        }
        return true
    }

    /// The trial's job stops before its target; the scheduler will give it again on resume.
    private func interrupt(_ t: TrialID) {
        saveCheckpoint(t)
        checkpoints?.commitSoon()
        scheduler.jobInterrupted(t)
        records[t].job = nil
    }

    /// The trial's objective threw (a trial the user killed mid-step, whose `cancel()` made the step
    /// throw, is recorded as killed).
    func stepFailed(trial t: TrialID, error: any Error) {
        if records[t].killRequested {
            kill(t)
        } else if records[t].timeLimitHit, let limit = options.trialTimeLimit {
            fail(t, reason: "exceeded its time limit of \(formatShort(limit)) s")
        } else if records[t].stopInterrupted, state.trials[t].status == .running {
            // The run is stopping and cancelled the step: the job is interrupted, to go on after a resume.
            interrupt(t)
            emit(.trialPaused(trial: t, by: .tuner))
        } else {
            fail(t, reason: "\(error)")
        }
    }

    /// Cancels the steps that have run longer than the trial time limit allows (the dispatch backend's
    /// timer calls it): the trial fails when its step returns.
    func enforceTrialTimeLimit() {
        guard let limit = options.trialTimeLimit else { return }
        for case let t? in state.slots where state.trials[t].status == .running && !records[t].timeLimitHit {
            if records[t].trainingSeconds + (now - records[t].stepStartedAt) > limit {
                records[t].timeLimitHit = true
                records[t].model?.cancel()
            }
        }
    }

    /// Cancels the steps running now because the run is stopping: an external program is ended at once
    /// (its trial is paused by the tuner when its step returns); an in-process step finishes first.
    private func stopRunningSteps() {
        for case let t? in state.slots where state.trials[t].status == .running && !records[t].stopInterrupted {
            records[t].stopInterrupted = true
            records[t].model?.cancel()
        }
    }

    /// What comes after the trial's job, for its objective.
    func fate(of t: TrialID) -> TrialFate {
        switch state.trials[t].status {
        case .completed: return .completed
        case .stopped, .failed, .killed: return .ended
        case .running, .paused, .waiting, .queued: return .continues
        }
    }

    /// The slot's job is over (whatever ended it); the slot is free.
    func finishJob(worker: Int, trial t: TrialID) {
        if !stoppedByFailures, [.waiting, .completed, .stopped, .paused].contains(state.trials[t].status) {
            failuresInARow = 0
        }
        emit(.jobEnded(trial: t, worker: worker))
        if state.trials[t].status.isFinal {
            release(t)
        } else {
            spillIfEnabled(t)
        }
    }

    /// The job on `worker` has ended (`finishJob`) and its trial is about to release what the job held,
    /// without the tuner's lock: the slot takes no job and the trial starts no other until `endRelease`.
    func beginRelease(worker: Int, trial t: TrialID) {
        draining.insert(worker)
        records[t].releasing = true
    }

    /// The trial has released what its job held: the slot is free, and a job due to the trial starts.
    func endRelease(worker: Int, trial t: TrialID) {
        draining.remove(worker)
        records[t].releasing = false
        if records[t].startAfterRelease {
            records[t].startAfterRelease = false
            if !state.trials[t].status.isFinal, records[t].job != nil { dueAfterRelease.append(t) }
        }
    }

    /// Drops a final trial's state: nothing trains it again.
    private func release(_ t: TrialID) {
        records[t].model?.cancel()
        records[t].model = nil
        records[t].spilled = false
        if state.best?.trial != t {
            checkpoints?.remove(trial: t)
            privateStore?.remove(trial: t)
        }
    }

    /// Moves an idle trial's state to the store, if spilling is on and the objective can checkpoint it.
    /// A checkpoint already queued at its current resource (a rung's) is not written again.
    private func spillIfEnabled(_ t: TrialID) {
        guard let store = spillStore, let model = records[t].model else { return }
        if store !== checkpoints || records[t].savedResource != records[t].modelResource
            || !store.contains(trial: t)
        {
            guard let bytes = model.checkpoint() else { return }
            store.save(trial: t, bytes: bytes)
            if store === checkpoints { records[t].savedResource = records[t].modelResource }
        }
        records[t].model = nil
        records[t].spilled = true
    }

    /// Brings a spilled trial's state back; a trial that cannot be restored fails. Returns true when restored.
    private func unspill(_ t: TrialID) -> Bool {
        records[t].spilled = false
        guard case .success(let bytes) = spillStore?.load(trial: t) else {
            fail(t, reason: "could not read its spilled checkpoint")
            return false
        }
        do {
            records[t].model = try objective.restoreTrial(
                config: state.trials[t].config, seed: seed(t), checkpoint: bytes)
        } catch {
            fail(t, reason: "could not restore its spilled checkpoint: \(error)")
            return false
        }
        records[t].modelResource = records[t].model?.resource ?? 0
        return true
    }

    private func fail(_ t: TrialID, reason: String) {
        records[t].job = nil
        scheduler.trialEnded(t, outcome: .failed)
        emit(.trialFailed(trial: t, reason: reason))
        failuresInARow += 1
        lastFailure = reason
        if let limit = options.maxFailures, failuresInARow >= limit, stopReason == nil {
            stoppedByFailures = true
            stopReason = .other("\(failuresInARow) trials failed in a row (budget.max_failures)")
            emit(
                .message(trial: t, text: "the run stops: \(failuresInARow) trials failed in a row; the last: \(reason)")
            )
            stopRunningSteps()
        }
    }

    private func kill(_ t: TrialID) {
        records[t].job = nil
        records[t].killRequested = false
        scheduler.trialEnded(t, outcome: .killed)
        emit(.trialKilled(trial: t))
        if state.trials[t].worker == nil { release(t) }
    }

    // MARK: - Commands

    /// Applies a command; the events it causes say what happened. Commands about unknown or finished
    /// trials change nothing.
    func apply(_ command: Command) {
        guard !state.isEnded else { return }
        switch command {
        case .pauseTrial(let t):
            guard let trial = state.trial(t) else { return }
            switch trial.status {
            case .running: records[t].pauseRequested = true
            case .waiting, .queued:
                if records[t].startAfterRelease || dueAfterRelease.contains(t), records[t].job != nil {
                    // Promoted while its last job's process was ending: the promotion waits for a resume.
                    records[t].startAfterRelease = false
                    dueAfterRelease.removeAll { $0 == t }
                    interrupt(t)
                }
                emit(.trialPaused(trial: t, by: .user))
            default: return
            }
        case .resumeTrial(let t):
            guard let trial = state.trial(t) else { return }
            switch trial.status {
            case .running: records[t].pauseRequested = false
            case .paused: emit(.trialResumed(trial: t, by: .user))
            default: return
            }
        case .killTrial(let t):
            guard let trial = state.trial(t), !trial.status.isFinal else { return }
            if trial.status == .running {
                records[t].killRequested = true
                records[t].model?.cancel()
            } else {
                kill(t)
            }
        case .pauseRun:
            guard !state.runPaused else { return }
            emit(.runPaused(by: .user))
        case .resumeRun:
            guard state.runPaused else { return }
            emit(.runResumed(by: .user))
        case .setWorkers(let n):
            let cap = options.maxWorkers ?? 512
            let count = min(max(1, n), cap)
            if n > cap, state.workerLimit == cap {
                // Nothing changes: say why instead of leaving the request unanswered.
                let why = options.maxWorkers == nil ? "" : " (one worker per GPU group of 'gpus')"
                emit(.message(trial: nil, text: "asked for \(n) workers: this run uses at most \(cap)\(why)"))
            }
            guard count != state.workerLimit else { return }
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
        if state.isEnded { return true }
        // The time budget counts the run's time outside its pauses.
        if let limit = options.maxSeconds, state.activeSeconds(at: now) >= limit, stopReason == nil {
            stopReason = .timeBudget
        }
        guard state.runningJobs == 0, draining.isEmpty else { return false }
        if let reason = stopReason {
            end(reason)
            return true
        }
        if state.runPaused { return false }
        let heldByUser = state.count(.paused) > 0 || state.count(.queued) > 0
        if heldByUser { return false }
        if scheduler.isFinished {
            end(.finished)
            return true
        }
        return false
    }

    /// Ends the run when nothing runs, nothing could be assigned to a free slot, and nothing waits on the
    /// user: the scheduler has no more work (a guard against waiting forever).
    func endIfStarved() {
        guard !state.isEnded, state.runningJobs == 0, draining.isEmpty, !state.runPaused, state.queued.isEmpty,
            dueAfterRelease.isEmpty
        else { return }
        if state.count(.paused) > 0 { return }
        end(stopReason ?? .nothingLeftToRun)
    }

    private func end(_ reason: EndReason) {
        // Nothing trains again: drop every model (an external command's process ends with it).
        for t in records.indices where state.trials[t].worker == nil {
            records[t].model?.cancel()
            records[t].model = nil
        }
        objective.runEnded()
        emit(.runEnded(reason: reason))
        privateStore?.close(keeping: [])
        checkpoints?.close(keeping: keptCheckpoints(reason: reason))
    }

    /// The trials whose checkpoints stay once the run has ended (nil: every one still live). A run that
    /// ended before its work was done (a signal, a quit) keeps every checkpoint a resume needs.
    private func keptCheckpoints(reason: EndReason) -> Set<TrialID>? {
        let done = reason.isNaturalEnd
        switch keeping {
        case .all: return nil
        case _ where !done: return nil
        case .best: return state.best.map { [$0.trial] } ?? []
        case .none: return []
        }
    }

    /// The summary of the run so far.
    func summary() -> RunSummary { state.summary }
}
