import ASHA

extension RunState {
    /// The most worker slots a run has (the tuner allows 512; a log that names more is corrupt).
    public static let maxWorkers = 4096

    /// An event that the state cannot follow: it names an unknown trial or slot, or a transition that
    /// `TrialStatus.after(_:)` calls illegal. The state ignores what the event would have changed.
    public struct Violation: Error, Sendable, Equatable, CustomStringConvertible {
        public var seq: Int
        public var message: String
        public var description: String { "event \(seq): \(message)" }
    }

    /// Folds one event: the one place where a run's state changes. Returns what was wrong with the
    /// event, if anything (a live run never produces one; a resume treats one as an inconsistent log;
    /// a replay or export counts them in `violations` and goes on).
    @discardableResult
    public mutating func apply(_ event: RunEvent) -> Violation? {
        events += 1
        let t = event.time.isFinite ? max(time, event.time) : time
        capacitySeconds += Double(workerLimit) * (t - time)
        time = t
        let problem = fold(event)
        if let problem {
            violations += 1
            if firstViolation == nil { firstViolation = "event \(event.seq): \(problem)" }
            return Violation(seq: event.seq, message: problem)
        }
        return nil
    }

    /// Applies the event; returns a description of what was wrong with it, or nil.
    private mutating func fold(_ event: RunEvent) -> String? {
        switch event.body {
        case .runStarted(let i):
            info = i
            setWorkerLimit(min(max(1, i.workers), Self.maxWorkers))
        case .trialSampled(let id, let bracket, let config, _):
            guard id == trials.count else { return "trial \(id) sampled out of order (expected \(trials.count))" }
            trials.append(Trial(id: id, bracket: bracket, config: config, previous: trials.last?.storedConfig))
            statusCounts[TrialStatus.queued.index] += 1
        case .jobStarted(let id, let worker, let rung, _, let to):
            guard (0..<Self.maxWorkers).contains(worker) else { return "worker \(worker) out of range" }
            if worker < slots.count, let other = slots[worker] {
                return "trial \(id) started on worker \(worker), which runs trial \(other)"
            }
            if let e = move(id, .jobStarted) { return e }
            if worker >= slots.count { slots.append(contentsOf: repeatElement(nil, count: worker + 1 - slots.count)) }
            slots[worker] = id
            runningJobs += 1
            dequeue(id)
            trials[id].pendingJob = false
            trials[id].worker = worker
            trials[id].jobStartedAt = event.time
            trials[id].jobRung = rung
            trials[id].jobTarget = to
        case .jobPlaced(let id, let worker, _):
            // Where the job runs is the dashboard's to show; the state only checks that the job runs.
            guard slots.indices.contains(worker), slots[worker] == id else {
                return "trial \(id) was placed on worker \(worker), which does not run it"
            }
        case .metric(let id, let resource, let value):
            guard trials.indices.contains(id) else { return "trial \(id) was never sampled" }
            if let e = move(id, .reported(targetReached: resource >= trials[id].jobTarget)) { return e }
            reports += 1
            let (delta, overflow) = resource.subtractingReportingOverflow(trials[id].lastResource)
            if !overflow, delta > 0 {
                let (sum, over) = totalResource.addingReportingOverflow(delta)
                totalResource = over ? Int.max : sum
            }
            trials[id].lastResource = resource
            trials[id].lastValue = value
        case .decision(let d):
            if let e = move(d.trial, .decided(d.action)) { return e }
            if d.action == .promote {
                trials[d.trial].pendingJob = true
                return nil
            }
            if d.rung > trials[d.trial].highestRung {
                trials[d.trial].highestRung = d.rung
                trials[d.trial].highestRungResource = d.resource
            }
            if d.action == .stop {
                let cutoff = d.cutoff.map(formatShort) ?? "none"
                trials[d.trial].reason =
                    "stopped at rung \(d.rung) (r=\(d.resource)): \(formatShort(d.value)) vs cutoff \(cutoff), rank \(d.rank) of \(d.rungSize)"
            }
            if trials[d.trial].status.isFinal { trials[d.trial].pendingJob = false }
        case .jobEnded(let id, let worker):
            guard slots.indices.contains(worker), slots[worker] == id else {
                return "the job of trial \(id) ended on worker \(worker), which does not run it"
            }
            if let e = move(id, .jobEnded) { return e }
            slots[worker] = nil
            runningJobs -= 1
            busySeconds += max(0, event.time - trials[id].jobStartedAt)
            trials[id].worker = nil
            trimSlots()
        case .trialPaused(let id, let by):
            let wasRunning = trials.indices.contains(id) && trials[id].status == .running
            if let e = move(id, .paused) { return e }
            dequeue(id)
            if wasRunning { trials[id].pendingJob = true }
            trials[id].reason = by == .user ? "paused by the user" : "paused when the run stopped"
        case .trialResumed(let id, _):
            guard trials.indices.contains(id) else { return "trial \(id) was never sampled" }
            if let e = move(id, .resumed(owesJob: trials[id].pendingJob)) { return e }
            trials[id].reason = ""
            if trials[id].status == .queued { enqueue(id) }
        case .trialKilled(let id):
            if let e = end(id, .killed) { return e }
            trials[id].reason = "killed by the user"
        case .trialCompleted(let id, _, _):
            if let e = end(id, .completed) { return e }
        case .trialFailed(let id, let reason):
            if let e = end(id, .failed) { return e }
            trials[id].reason = reason
        case .newBest(let id, let resource, let value):
            guard trials.indices.contains(id) else { return "trial \(id) was never sampled" }
            best = RunSummary.Best(trial: id, value: value, resource: resource, config: trials[id].config)
        case .runPaused:
            runPaused = true
            if pausedSince == nil { pausedSince = time }
        case .runResumed:
            runPaused = false
            endPause()
        case .workersChanged(let count, _):
            guard (1...Self.maxWorkers).contains(count) else { return "\(count) workers" }
            setWorkerLimit(count)
        case .message: break
        case .runContinued:
            continueRun()
        case .runEnded(let reason):
            endReason = reason
            runPaused = false
            endPause()
        }
        return nil
    }

    /// Moves trial `id` by `move`, or says why it cannot.
    private mutating func move(_ id: TrialID, _ move: TrialStatus.Move) -> String? {
        guard trials.indices.contains(id) else { return "trial \(id) was never sampled" }
        let old = trials[id].status
        guard let new = old.after(move) else { return "trial \(id) is \(old.rawValue): \(move.name) is illegal" }
        setStatus(id, new)
        return nil
    }

    private mutating func end(_ id: TrialID, _ move: TrialStatus.Move) -> String? {
        if let e = self.move(id, move) { return e }
        dequeue(id)
        trials[id].pendingJob = false
        return nil
    }

    private mutating func setStatus(_ id: TrialID, _ status: TrialStatus) {
        let old = trials[id].status
        guard old != status else { return }
        statusCounts[old.index] -= 1
        statusCounts[status.index] += 1
        trials[id].status = status
    }

    private mutating func setWorkerLimit(_ n: Int) {
        workerLimit = n
        if slots.count < n { slots.append(contentsOf: repeatElement(nil, count: n - slots.count)) }
        trimSlots()
    }

    /// Drops idle slots above the limit (retired slots disappear once their job ends).
    private mutating func trimSlots() {
        while slots.count > workerLimit, slots.last == .some(nil) { slots.removeLast() }
    }

    private mutating func enqueue(_ id: TrialID) {
        if !queued.contains(id) { queued.append(id) }
    }

    private mutating func dequeue(_ id: TrialID) {
        if let i = queued.firstIndex(of: id) { queued.remove(at: i) }
    }

    /// A restarted process goes on with the run: jobs that were running when it died, and trials paused
    /// by the user or by a stop, are queued again (or wait, when they owe no job); the run is neither
    /// ended nor paused; utilization is measured from here on.
    /// Closes the current run pause at the latest event time: its length counts as paused time.
    private mutating func endPause() {
        if let since = pausedSince { pausedSeconds += max(0, time - since) }
        pausedSince = nil
    }

    private mutating func continueRun() {
        for id in trials.indices {
            let status = trials[id].status
            if status == .running { trials[id].pendingJob = true }
            if let new = status.after(.runContinued(owesJob: trials[id].pendingJob)) { setStatus(id, new) }
            trials[id].worker = nil
            if trials[id].status == .queued { enqueue(id) }
        }
        slots = Array(repeating: nil, count: workerLimit)
        runningJobs = 0
        runPaused = false
        endPause()
        endReason = nil
        busySeconds = 0
        capacitySeconds = 0
    }
}
