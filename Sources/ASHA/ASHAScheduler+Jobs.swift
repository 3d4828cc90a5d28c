extension ASHAScheduler {
    /// A free worker asks for work.
    ///
    /// Promotion variant: a promotion if any bracket has a promotable trial (brackets in index order,
    /// highest non-top rung first; `job.promotion` holds the `.promote` decision), else a new trial at
    /// rung 0 of its seeded bracket. Stopping variant: always a new trial, `job.toResource` = R and
    /// `job.rung` = its bracket's top rung index. Nil when the budget allows no new trial and nothing
    /// is promotable now.
    public mutating func nextJob() -> Job? {
        guard resourceLeft else { return nil }
        if settings.variant == .promotion, let job = promote() { return job }
        guard canStartNewTrial else { return nil }
        let id = trials.count
        let b = chooser.bracket(seed: settings.seed, index: id)
        let ladder = ladders[b]
        let top = ladder.count - 1
        let promotion = settings.variant == .promotion
        trials.append(TrialRecord(resource: 0, bracket: Int32(b), rung: 0, phase: .running))
        if tpe != nil {
            // The trial records as they are now (shared, not copied: nothing changes them while sampling).
            let records = trials
            let revisit = TPESampler.Revisit { t in
                (records[t].phase == .stopped || records[t].phase == .waiting) && Int(records[t].bracket) != b
            }
            // Repeats that deepen the rungs: all of them with promotion, every other one with stopping
            // (`deepen`); with stopping and `rescue`, repeats chosen from the rungs of the trial's bracket.
            var rescue: TPESampler.Rescue?
            if !promotion {
                let entries = self.entries
                let start = rungStart[b]
                rescue = TPESampler.Rescue(
                    resources: ladder, eta: settings.reductionFactor, count: { entries.count(start + $0) },
                    better: { score, k in entries.rank(of: RankKey(score: score, id: 0), in: start + k) },
                    key: { i, k in entries.key(at: i, in: start + k) })
            }
            _ = tpe?.sample(
                index: id, seed: settings.seed, space: space, revisit: revisit,
                pad: (level: ladder[0], every: promotion ? 1 : 2), rescue: rescue)
        }
        runningCount += 1
        return Job(
            trial: id, bracket: b, rung: promotion ? 0 : top, fromResource: 0,
            toResource: promotion ? ladder[0] : ladder[top], isNew: true)
    }

    /// The trial's job ended early: the trial failed or the user killed it.
    ///
    /// It is never promoted afterwards; its recorded rung values stay (they are facts) but it is no
    /// longer a promotion candidate. It stops counting as running (or interrupted). No effect on an
    /// unknown trial or one already stopped, completed, failed or killed.
    public mutating func trialEnded(_ trial: TrialID, outcome: TrialOutcome) {
        guard trials.indices.contains(trial) else { return }
        let record = trials[trial]
        switch record.phase {
        case .running: runningCount -= 1
        case .interrupted: interruptedCount -= 1
        case .waiting: break
        case .stopped, .completed, .failed, .killed: return
        }
        trials[trial].phase = outcome == .failed ? .failed : .killed
        if record.phase == .waiting {
            dropStaleCandidates(rungStart[Int(record.bracket)] + Int(record.rung), rung: Int(record.rung))
        }
    }

    /// The trial's job was interrupted without a decision (e.g. paused by the user mid-job); it stops
    /// counting as running. `resumeJob(for:)` later gives the job that continues it. No effect unless
    /// the trial is running.
    public mutating func jobInterrupted(_ trial: TrialID) {
        guard trials.indices.contains(trial), trials[trial].phase == .running else { return }
        trials[trial].phase = .interrupted
        runningCount -= 1
        interruptedCount += 1
    }

    /// The job that continues an interrupted trial: from its current resource to the same target as the
    /// interrupted job (`isNew` false, no promotion decision). Nil unless the trial is interrupted.
    public mutating func resumeJob(for trial: TrialID) -> Job? {
        guard trials.indices.contains(trial), trials[trial].phase == .interrupted else { return nil }
        trials[trial].phase = .running
        interruptedCount -= 1
        runningCount += 1
        let record = trials[trial]
        let b = Int(record.bracket)
        let target = settings.variant == .promotion ? Int(record.rung) : ladders[b].count - 1
        let to = ladders[b][target]
        return Job(
            trial: trial, bracket: b, rung: target, fromResource: min(record.resource, to), toResource: to,
            isNew: false)
    }

    /// Promotes the first promotable candidate (brackets in order, highest non-top rung first).
    private mutating func promote() -> Job? {
        for b in ladders.indices {
            var k = ladders[b].count - 2
            while k >= 0 {
                let r = rungStart[b] + k
                if isPromotable(r), let key = candidates[r].top {
                    let cutoff = currentCutoff(r)?.value(goal: settings.goal)
                    let decision = Decision(
                        trial: key.id, bracket: b, rung: k, resource: rungs[r].resource,
                        value: key.value(goal: settings.goal), cutoff: cutoff,
                        rank: rungs[r].bestCandidateRank + 1, rungSize: entries.count(r), action: .promote,
                        reason: .withinCutoff)
                    candidates[r].popTop()
                    rungs[r].promotedCount += 1
                    trials[key.id].phase = .running
                    trials[key.id].rung = Int16(k + 1)
                    runningCount += 1
                    dropStaleCandidates(r, rung: k, topRemoved: true)
                    let to = ladders[b][k + 1]
                    return Job(
                        trial: key.id, bracket: b, rung: k + 1, fromResource: min(trials[key.id].resource, to),
                        toResource: to, isNew: false, promotion: decision)
                }
                k -= 1
            }
        }
        return nil
    }

    /// Pops candidates that are no longer waiting at the rung, and recomputes the best candidate's rank
    /// when the top changed (`topRemoved`: the caller just popped it). Keeps the invariant: the heap's top
    /// is a live candidate (or the heap is empty) and `bestCandidateRank` is its rank.
    private mutating func dropStaleCandidates(_ r: Int, rung k: Int, topRemoved: Bool = false) {
        var changed = topRemoved
        while let top = candidates[r].top {
            let record = trials[top.id]
            if record.phase == .waiting && Int(record.rung) == k { break }
            candidates[r].popTop()
            changed = true
        }
        if changed { rungs[r].bestCandidateRank = candidates[r].top.map { entries.rank(of: $0, in: r) } ?? Int.max }
    }
}
