extension ASHAScheduler {
    /// The running trial reports `value` after training to `resource`.
    ///
    /// Returns a decision when the report reaches (or skips past) a rung level of the trial's bracket not
    /// yet decided for it, else nil. Stopping variant: `.continue`, `.stop` or `.complete` at the top; when
    /// several rungs are crossed, the value is recorded at each in order, the first `.stop` ends it, and
    /// the last decision taken is returned (`reportAll` returns all of them). Promotion variant: reaching
    /// the job's target rung gives `.wait` (recorded, awaiting promotion) or `.complete` at the top rung;
    /// a non-finite value gives `.stop`; a report below the target gives nil.
    ///
    /// Adds `resource − (the trial's previous resource)` to `resourceUsed` when positive. Reports of a
    /// trial that is not running (unknown, waiting, interrupted, stopped, completed, failed, killed) are
    /// ignored: nil, nothing recorded.
    public mutating func report(trial: TrialID, resource: Int, value: Double) -> Decision? {
        guard accept(trial: trial, resource: resource) else { return nil }
        if settings.variant == .promotion { return decideAtTarget(trial: trial, resource: resource, value: value) }
        var last: Decision?
        while let decision = decideNextRung(trial: trial, resource: resource, value: value) {
            last = decision
            if decision.action != .continue { break }
        }
        return last
    }

    /// Like `report(trial:resource:value:)`, but returns every decision taken, in rung order (several
    /// when a stopping-variant report skips rungs; empty when none).
    public mutating func reportAll(trial: TrialID, resource: Int, value: Double) -> [Decision] {
        guard accept(trial: trial, resource: resource) else { return [] }
        if settings.variant == .promotion {
            return decideAtTarget(trial: trial, resource: resource, value: value).map { [$0] } ?? []
        }
        var decisions: [Decision] = []
        while let decision = decideNextRung(trial: trial, resource: resource, value: value) {
            decisions.append(decision)
            if decision.action != .continue { break }
        }
        return decisions
    }

    /// Checks that the trial is running and accounts for the resource it used.
    private mutating func accept(trial: TrialID, resource: Int) -> Bool {
        guard trials.indices.contains(trial), trials[trial].phase == .running else { return false }
        let previous = trials[trial].resource
        if resource > previous {
            resourceUsed += resource - previous
            trials[trial].resource = resource
        }
        return true
    }

    /// Enters a report into its trial's current rung once the resource reaches that rung: the bracket,
    /// the rung index, the rung's slot, the value's key and its 0-based rank there (nil while short).
    @inline(__always)
    private mutating func enterRung(
        trial: TrialID, resource: Int, value: Double
    ) -> (bracket: Int, rung: Int, slot: Int, key: RankKey, rank: Int)? {
        let record = trials[trial]
        let b = Int(record.bracket)
        let k = Int(record.rung)
        let r = rungStart[b] + k
        guard resource >= rungs[r].resource else { return nil }
        let key = RankKey(value: value, goal: settings.goal, id: trial)
        return (b, k, r, key, recordEntry(key, at: r))
    }

    /// Promotion variant: records the value at the job's target rung once the resource reaches it.
    private mutating func decideAtTarget(trial: TrialID, resource: Int, value: Double) -> Decision? {
        guard let (b, k, r, key, rank) = enterRung(trial: trial, resource: resource, value: value) else { return nil }
        runningCount -= 1
        let eta = settings.reductionFactor
        let n = entries.count(r)
        let action: Decision.Action
        let reason: Decision.Reason
        if k == ladders[b].count - 1 {
            trials[trial].phase = .completed
            action = .complete
            reason = key.isFinite ? .topRung : .nonFiniteValue
        } else if !key.isFinite {
            trials[trial].phase = .stopped
            action = .stop
            reason = .nonFiniteValue
        } else {
            trials[trial].phase = .waiting
            let previous = candidates[r].top
            candidates[r].push(key)
            if previous.map({ key < $0 }) ?? true { rungs[r].bestCandidateRank = rank }
            action = .wait
            reason = n < eta ? .tooFewEntries : (rank < n / eta ? .withinCutoff : .worseThanCutoff)
        }
        return Decision(
            trial: trial, bracket: b, rung: k, resource: rungs[r].resource, value: value,
            cutoff: currentCutoff(r)?.value(goal: settings.goal), rank: rank + 1, rungSize: n, action: action,
            reason: reason)
    }

    /// Stopping variant: decides the trial's next undecided rung if the resource reaches it.
    private mutating func decideNextRung(trial: TrialID, resource: Int, value: Double) -> Decision? {
        guard trials[trial].phase == .running,
            let (b, k, r, key, rank) = enterRung(trial: trial, resource: resource, value: value)
        else { return nil }
        trials[trial].rung = Int16(k + 1)
        let eta = settings.reductionFactor
        let n = entries.count(r)
        let cutoff = currentCutoff(r)
        let action: Decision.Action
        let reason: Decision.Reason
        if k == ladders[b].count - 1 {
            action = .complete
            reason = key.isFinite ? .topRung : .nonFiniteValue
        } else if !key.isFinite {
            action = .stop
            reason = .nonFiniteValue
        } else if n < eta {
            action = .continue
            reason = .tooFewEntries
        } else if let cutoff, key.score <= cutoff.score {
            action = .continue
            reason = .withinCutoff
        } else {
            action = .stop
            reason = .worseThanCutoff
        }
        if action != .continue {
            trials[trial].phase = action == .complete ? .completed : .stopped
            runningCount -= 1
            if action == .stop { tpe?.stopped(trial) }
        }
        return Decision(
            trial: trial, bracket: b, rung: k, resource: rungs[r].resource, value: value,
            cutoff: cutoff?.value(goal: settings.goal), rank: rank + 1, rungSize: n, action: action,
            reason: reason)
    }

    /// Records `key` at rung `r` and returns its 0-based rank there.
    private mutating func recordEntry(_ key: RankKey, at r: Int) -> Int {
        let rank = entries.insert(key, into: r)
        tpe?.observe(key, resource: rungs[r].resource)
        if !key.isFinite { rungs[r].nonFiniteCount += 1 }
        if rank <= rungs[r].cutoffIndex { rungs[r].cutoffIndex = -1 }
        if let top = candidates[r].top, key < top { rungs[r].bestCandidateRank += 1 }
        return rank
    }
}
