import ASHA
import RunLog
import TextSafety

extension DashboardModel {
    /// Folds one event into the model: first into the run's state (`run`), which decides every status,
    /// then into what the screen keeps beside it. Events are expected in `seq` order; unknown trials and
    /// rungs (a dashboard attached mid-run) are created on first sight.
    public mutating func apply(_ event: RunEvent) {
        stamp += 1
        run.apply(event)
        let t = event.time
        switch event.body {
        case .runStarted(let info):
            start(info)
        case .trialSampled(let trial, let bracket, let config, let detail):
            let i = slot(of: trial, bracket: bracket)
            trials[i].bracket = bracket
            trials[i].sample = detail.origin == nil && detail.note == nil ? nil : detail
            if case .model(let r, let n)? = detail.origin { samplerModel = (r, n) }
            // The run state's packed copy when it took this configuration (one copy for both).
            if let t = run.trial(trial), t.storedConfig.configuration == config {
                trials[i].storedConfig = t.storedConfig
            } else {
                trials[i].config = config
            }
            touch(i)
        case .jobStarted(let trial, let worker, let rung, let from, let to):
            startJob(trial: trial, worker: worker, rung: rung, from: from, to: to, time: t)
        case .jobPlaced(let trial, let worker, let placement):
            let clean = placement.sanitized
            let i = slot(of: trial)
            placementsByTrial[trial] = clean
            trials[i].placements += 1
            if worker >= 0, worker < workers.count, workers[worker].trial == trial { workers[worker].placement = clean }
        case .metric(let trial, let resource, let value):
            let i = slot(of: trial)
            trials[i].resource = resource
            trials[i].lastMetric = value
            addPoint(i, CurvePoint(resource: resource, value: value))
            touch(i)
            if let w = trials[i].worker, w >= 0, w < workers.count, workers[w].trial == trial {
                workers[w].resource = resource
                workers[w].metric = value
            }
            noteReport(at: t)
        case .decision(let d):
            decide(d, time: t)
        case .jobEnded(let trial, let worker):
            if worker >= 0, worker < workers.count, workers[worker].trial == trial { workers[worker] = WorkerSlot() }
            let i = slot(of: trial)
            if trials[i].worker == worker { trials[i].worker = nil }
            setTowards(i, nil)
            trimIdleWorkers()
        case .trialPaused(let trial, let by):
            let i = slot(of: trial)
            clearWaiting(i)
            if by == .user { log(t, "trial \(trial) paused by user", .warning) }
        case .trialResumed(let trial, let by):
            if by == .user { log(t, "trial \(trial) resumed by user", .normal) }
        case .trialKilled(let trial):
            end(slot(of: trial))
            log(t, "trial \(trial) killed", .bad)
        case .trialCompleted(let trial, let resource, let value):
            let i = slot(of: trial)
            trials[i].lastMetric = value
            trials[i].resource = max(trials[i].resource, resource)
            end(i)
        case .trialFailed(let trial, let reason):
            let i = slot(of: trial)
            trials[i].failureReason = Sanitizer.clean(reason, maxColumns: TrialRecord.reasonColumns)
            end(i)
            log(t, "trial \(trial) failed: \(trials[i].failureReason ?? "")", .bad)
        case .newBest(let trial, let resource, let value):
            best = BestRecord(trial: trial, value: value, resource: resource, time: t)
            if bestSeries.count >= Self.bestSeriesCapacity {
                bestSeries = stride(from: 0, to: bestSeries.count, by: 2).map { bestSeries[$0] }
            }
            bestSeries.append(BestPoint(time: t, value: value))
        case .runPaused(let by):
            log(t, "run paused by \(by.rawValue)", .warning)
        case .runResumed(let by):
            log(t, "run resumed by \(by.rawValue)", .normal)
        case .workersChanged(let count, let by):
            while workers.count < min(count, Self.maxWorkers) { workers.append(WorkerSlot()) }
            trimIdleWorkers()
            log(t, "workers set to \(count) by \(by.rawValue)", .normal)
        case .message(let trial, let text):
            let clean = Sanitizer.clean(text, maxColumns: TrialRecord.reasonColumns)
            log(t, trial.map { "trial \($0): \(clean)" } ?? clean, .warning)
        case .runContinued(let events):
            // `ashb-top resume`: the run goes on from its log; the jobs that were running when it stopped
            // are over (their trials are queued again), and it is neither ended nor paused any more.
            continueRun()
            log(t, "run resumed from its log after \(events) events", .normal)
        case .runEnded(let reason):
            log(t, "run ended: \(Sanitizer.clean(reason.text, maxColumns: 80))", .warning)
        }
        if let trial = event.body.trial, let i = position(of: trial) { syncStatus(i) }
    }

    private mutating func continueRun() {
        for w in workers.indices where workers[w].isBusy {
            if w < run.slots.count, run.slots[w] != nil { continue }
            if let trial = workers[w].trial, let i = position(of: trial), trials[i].worker == w {
                trials[i].worker = nil
                setTowards(i, nil)
            }
            workers[w] = WorkerSlot()
        }
        trimIdleWorkers()
        for i in trials.indices { syncStatus(i) }
    }

    private mutating func start(_ info: RunInfo) {
        runName = Sanitizer.clean(info.name, maxColumns: 80)
        objective = Sanitizer.clean(info.objective + (info.executor.map { " on \($0)" } ?? ""), maxColumns: 60)
        metricName = Sanitizer.clean(info.metric, maxColumns: 30)
        parameterNames = info.parameters.map { Sanitizer.clean($0, maxColumns: 40) }
        while workers.count < min(info.workers, Self.maxWorkers) { workers.append(WorkerSlot()) }
        for (b, ladder) in info.ladders.enumerated() {
            for (k, r) in ladder.enumerated() { ensureRung(b, k, resource: r) }
        }
    }

    private mutating func startJob(trial: TrialID, worker: Int, rung: Int, from: Int, to: Int, time: Double) {
        let i = slot(of: trial)
        clearWaiting(i)
        setTowards(i, towardsRung(of: i, rung: rung, from: from))
        guard worker >= 0, worker < Self.maxWorkers else { return }
        trials[i].worker = worker
        while workers.count <= worker { workers.append(WorkerSlot()) }
        var w = WorkerSlot()
        w.trial = trial
        w.bracket = trials[i].bracket
        w.rung = trials[i].towardsRung ?? rung
        w.fromResource = from
        w.toResource = to
        w.resource = from
        w.started = time
        workers[worker] = w
    }

    /// The rung a new job trains towards: the job's rung in the promotion variant; in the stopping
    /// variant (a job may train through several rungs) the first rung above where it starts.
    private func towardsRung(of i: Int, rung: Int, from: Int) -> Int {
        guard info?.settings.variant == .stopping else { return rung }
        let b = trials[i].bracket
        guard b >= 0, b < rungs.count else { return rung }
        return rungs[b].firstIndex { $0.resource > from } ?? rung
    }

    private mutating func decide(_ d: Decision, time: Double) {
        let i = slot(of: d.trial, bracket: d.bracket)
        addDecision(i, d, time: time)
        guard Self.isShown(d.bracket, d.rung) else { return }
        ensureRung(d.bracket, d.rung, resource: d.resource)
        rungs[d.bracket][d.rung].cutoff = d.cutoff
        if d.action == .promote {
            rungs[d.bracket][d.rung].promoted += 1
            clearWaiting(i)
            touch(i)
            return
        }
        rungs[d.bracket][d.rung].reached += 1
        if d.rung >= (trials[i].highestRung ?? -1) {
            trials[i].highestRung = d.rung
            trials[i].rungValue = d.value
        }
        touch(i)
        switch d.action {
        case .continue:
            rungs[d.bracket][d.rung].promoted += 1
            if d.rung + 1 < rungs[d.bracket].count {
                setTowards(i, d.rung + 1)
                if let w = trials[i].worker, w < workers.count, workers[w].trial == d.trial {
                    workers[w].rung = d.rung + 1
                }
            }
        case .wait:
            setTowards(i, nil)
            clearWaiting(i)
            trials[i].waitingAt = d.rung
            rungs[d.bracket][d.rung].waiting += 1
        case .stop:
            rungs[d.bracket][d.rung].stopped += 1
            end(i)
        case .complete:
            rungs[d.bracket][d.rung].completed += 1
            end(i)
        case .promote:
            break
        }
    }

    /// Frees an ended trial's rung bookkeeping (its status comes from the run's state).
    private mutating func end(_ i: Int) {
        clearWaiting(i)
        setTowards(i, nil)
    }

    private mutating func trimIdleWorkers() {
        while workers.count > workerCount, let last = workers.last, !last.isBusy { workers.removeLast() }
    }
}
