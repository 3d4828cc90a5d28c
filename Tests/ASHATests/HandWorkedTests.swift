import ASHA
import Testing

/// Small streams worked out by hand, η = 3, ladder [1, 3, 9], minimize.
@Suite("Hand-worked examples")
struct HandWorkedTests {
    static func scheduler(_ variant: Variant, goal: Goal = .minimize) throws -> ASHAScheduler {
        try ASHAScheduler(
            space: SearchSpace([Parameter(name: "x", domain: .uniform(low: 0, high: 1, step: nil))]),
            settings: SchedulerSettings(variant: variant, goal: goal, maxResource: 9, seed: 1))
    }

    /// Starts the next job and checks it is a new trial with id `id`.
    static func start(_ s: inout ASHAScheduler, expecting id: TrialID) -> Job? {
        let job = s.nextJob()
        #expect(job?.trial == id && job?.isNew == true, "expected new trial \(id), got \(String(describing: job))")
        return job
    }

    @Test func promotionVariant() throws {
        var s = try Self.scheduler(.promotion)
        #expect(s.ladders == [[1, 3, 9]])
        // Trials 0 and 1: a rung with fewer than η = 3 entries has no cutoff and promotes nothing.
        #expect(
            Self.start(&s, expecting: 0)
                == Job(trial: 0, bracket: 0, rung: 0, fromResource: 0, toResource: 1, isNew: true))
        #expect(s.report(trial: 0, resource: 1, value: 0.5)?.reason == .tooFewEntries)
        _ = Self.start(&s, expecting: 1)
        #expect(s.report(trial: 1, resource: 1, value: 0.2)?.action == .wait)
        _ = Self.start(&s, expecting: 2)
        // Rung 0 = {1: 0.2, 0: 0.5, 2: 0.9}: ⌊3/3⌋ = 1, cutoff 0.2; trial 2 is rank 3, outside the top.
        let d2 = s.report(trial: 2, resource: 1, value: 0.9)
        #expect(
            d2
                == Decision(
                    trial: 2, bracket: 0, rung: 0, resource: 1, value: 0.9, cutoff: 0.2, rank: 3,
                    rungSize: 3, action: .wait, reason: .worseThanCutoff))
        // A free worker: trial 1 (0.2) is the best not-yet-promoted entry and ranks 1 ≤ ⌊3/3⌋: promoted.
        let p1 = s.nextJob()
        #expect(
            p1
                == Job(
                    trial: 1, bracket: 0, rung: 1, fromResource: 1, toResource: 3, isNew: false,
                    promotion: Decision(
                        trial: 1, bracket: 0, rung: 0, resource: 1, value: 0.2, cutoff: 0.2,
                        rank: 1, rungSize: 3, action: .promote, reason: .withinCutoff)))
        // Next free worker: the best candidate is now trial 0 (0.5), rank 2 > 1: nothing to promote, new trial.
        _ = Self.start(&s, expecting: 3)
        // Trial 3 reports 0.1: rank 1 of 4, ⌊4/3⌋ = 1, the cutoff becomes 0.1.
        #expect(s.report(trial: 3, resource: 1, value: 0.1)?.reason == .withinCutoff)
        #expect(s.cutoff(bracket: 0, rung: 0) == 0.1)
        // Trial 3 ranks 1 and was not promoted yet: promoted even though trial 1 (promoted) ranks 2.
        #expect(s.nextJob()?.promotion?.trial == 3)
        #expect(s.promotedCount(bracket: 0, rung: 0) == 2)
        // Both promoted trials reach rung 1 (3 units): two entries there, too few to promote.
        #expect(s.report(trial: 1, resource: 2, value: 0.16) == nil)  // below the job's target
        #expect(s.report(trial: 1, resource: 3, value: 0.15)?.reason == .tooFewEntries)
        #expect(s.report(trial: 3, resource: 3, value: 0.05)?.action == .wait)
        // Rung 0 = {3: 0.1, 1: 0.2, 0: 0.5, 2: 0.9}: trial 0 ranks 3 > 1. Nothing promotable: trial 4.
        _ = Self.start(&s, expecting: 4)
        #expect(s.report(trial: 4, resource: 1, value: 0.3)?.rank == 3)  // {3: 0.1, 1: 0.2, 4: 0.3, ...}
        _ = Self.start(&s, expecting: 5)
        // Six entries, ⌊6/3⌋ = 2: trial 5 (0.05) ranks 1; the cutoff is the rank-2 value 0.1.
        let d5 = s.report(trial: 5, resource: 1, value: 0.05)
        #expect(d5?.rank == 1 && d5?.cutoff == 0.1 && d5?.reason == .withinCutoff)
        #expect(s.nextJob()?.promotion?.trial == 5)
        // Rung 0 promoted 1, 3, 5; best candidate trial 4 (0.3) ranks 4 > 2: a new trial 6.
        _ = Self.start(&s, expecting: 6)
        // Trial 5 reaches rung 1 = {5: 0.01, 3: 0.05, 1: 0.15}: ⌊3/3⌋ = 1 and it ranks 1.
        #expect(s.report(trial: 5, resource: 3, value: 0.01)?.reason == .withinCutoff)
        // The highest non-top rung is served first: trial 5 goes to rung 2 (9 units, the top).
        let top = s.nextJob()
        #expect(top?.trial == 5 && top?.rung == 2 && top?.fromResource == 3 && top?.toResource == 9)
        #expect(top?.promotion?.rung == 1)
        let done = s.report(trial: 5, resource: 9, value: 0.005)
        #expect(done?.action == .complete && done?.reason == .topRung)
        #expect(s.phase(of: 5) == .completed)
        #expect(s.runningCount == 1)  // trial 6
        #expect(s.resourceUsed == 6 + 2 + 2 + 8)  // trials 0-5 × 1 (6 has not reported), 1 and 3 to 3, 5 to 9
    }

    @Test func stoppingVariant() throws {
        var s = try Self.scheduler(.stopping)
        let j0 = s.nextJob()
        #expect(j0 == Job(trial: 0, bracket: 0, rung: 2, fromResource: 0, toResource: 9, isNew: true))
        _ = s.nextJob()
        _ = s.nextJob()
        // Below η entries every trial continues.
        #expect(s.report(trial: 0, resource: 1, value: 0.5)?.action == .continue)
        #expect(s.report(trial: 1, resource: 1, value: 0.2)?.reason == .tooFewEntries)
        // The value is recorded first: rung 0 = {0.2, 0.5, 0.9}, ⌊3/3⌋ = 1, cutoff 0.2; 0.9 is worse: stop.
        let d2 = s.report(trial: 2, resource: 1, value: 0.9)
        #expect(
            d2
                == Decision(
                    trial: 2, bracket: 0, rung: 0, resource: 1, value: 0.9, cutoff: 0.2, rank: 3,
                    rungSize: 3, action: .stop, reason: .worseThanCutoff))
        #expect(s.report(trial: 2, resource: 2, value: 0.1) == nil)  // stopped: ignored
        #expect(s.report(trial: 0, resource: 2, value: 0.45) == nil)  // between rungs
        #expect(s.report(trial: 0, resource: 3, value: 0.4)?.reason == .tooFewEntries)
        // Trial 3 ties the cutoff 0.2: it ranks 2 (trial 1 has the lower id) but is not worse: continues.
        _ = s.nextJob()
        let d3 = s.report(trial: 3, resource: 1, value: 0.2)
        #expect(d3?.rank == 2 && d3?.cutoff == 0.2 && d3?.action == .continue && d3?.reason == .withinCutoff)
        // Trial 4 first reports at 9: it skips rungs 0 and 1, recorded at each in order.
        _ = s.nextJob()
        let all = s.reportAll(trial: 4, resource: 9, value: 0.1)
        #expect(all.map(\.rung) == [0, 1, 2])
        #expect(all.map(\.action) == [.continue, .continue, .complete])
        #expect(all.map(\.reason) == [.withinCutoff, .tooFewEntries, .topRung])
        // Trial 5 reports 0.95 at 3: at rung 0 (six entries, ⌊6/3⌋ = 2, cutoff 0.2) it stops; never recorded at rung 1.
        _ = s.nextJob()
        let d5 = s.report(trial: 5, resource: 3, value: 0.95)
        #expect(d5?.rung == 0 && d5?.action == .stop && d5?.cutoff == 0.2)
        #expect(s.rungSize(bracket: 0, rung: 1) == 2)
        // A NaN stops the trial whatever the rung size, and never becomes the cutoff.
        _ = s.nextJob()
        let d6 = s.report(trial: 6, resource: 1, value: .nan)
        #expect(d6?.action == .stop && d6?.reason == .nonFiniteValue && d6?.rank == 7 && d6?.cutoff == 0.2)
        #expect(s.runningCount == 3)  // trials 0, 1 and 3
        #expect(s.rungEntries(bracket: 0, rung: 0).map(\.trial) == [4, 1, 3, 0, 2, 5, 6])
    }

    @Test func maximizeMirrorsTheStoppingExample() throws {
        var s = try Self.scheduler(.stopping, goal: .maximize)
        for _ in 0..<3 { _ = s.nextJob() }
        _ = s.report(trial: 0, resource: 1, value: -0.5)
        _ = s.report(trial: 1, resource: 1, value: -0.2)
        let d2 = s.report(trial: 2, resource: 1, value: -0.9)
        #expect(d2?.action == .stop && d2?.cutoff == -0.2 && d2?.rank == 3)
    }

    @Test func killedAndFailedTrialsAreNeverPromoted() throws {
        var s = try Self.scheduler(.promotion)
        for i in 0..<6 { _ = Self.start(&s, expecting: i) }
        for i in 0..<6 { _ = s.report(trial: i, resource: 1, value: 0.1 * Double(i + 1)) }
        // Rung 0 = {0: 0.1, 1: 0.2, 2: 0.3, ...}, ⌊6/3⌋ = 2. Trial 0 is killed and trial 1 fails while waiting.
        s.trialEnded(0, outcome: .killed)
        s.trialEnded(1, outcome: .failed)
        #expect(s.phase(of: 0) == .killed && s.phase(of: 1) == .failed)
        // Their values stay (facts): the best candidate, trial 2, ranks 3 > 2, so a new trial starts.
        #expect(s.rungSize(bracket: 0, rung: 0) == 6 && s.cutoff(bracket: 0, rung: 0) == 0.2)
        _ = Self.start(&s, expecting: 6)
        #expect(s.report(trial: 6, resource: 1, value: 0.05)?.rank == 1)
        #expect(s.nextJob()?.promotion?.trial == 6)
        _ = Self.start(&s, expecting: 7)
        // Ending a trial twice, or a finished one, changes nothing.
        s.trialEnded(0, outcome: .failed)
        #expect(s.phase(of: 0) == .killed)
        #expect(s.runningCount == 2)
    }

    @Test func interruptedJobsResume() throws {
        var s = try Self.scheduler(.stopping)
        _ = s.nextJob()
        #expect(s.report(trial: 0, resource: 2, value: 0.5)?.rung == 0)
        s.jobInterrupted(0)
        #expect(s.runningCount == 0 && s.interruptedCount == 1 && s.phase(of: 0) == .interrupted)
        #expect(s.report(trial: 0, resource: 3, value: 0.4) == nil)  // not running: ignored
        #expect(s.resumeJob(for: 1) == nil)
        let job = s.resumeJob(for: 0)
        #expect(job == Job(trial: 0, bracket: 0, rung: 2, fromResource: 2, toResource: 9, isNew: false))
        #expect(s.runningCount == 1 && s.interruptedCount == 0)
        #expect(s.resumeJob(for: 0) == nil)
        #expect(s.report(trial: 0, resource: 3, value: 0.4)?.rung == 1)
        #expect(s.resourceUsed == 3)
    }

    @Test func trialBudget() throws {
        var s = try ASHAScheduler(
            space: SearchSpace([]), settings: SchedulerSettings(maxResource: 9, maxTrials: 3))
        for i in 0..<3 { _ = Self.start(&s, expecting: i) }
        #expect(s.nextJob() == nil)
        for i in 0..<3 { _ = s.report(trial: i, resource: 1, value: Double(i)) }
        #expect(!s.isFinished)
        // The budget stops sampling, not promotions: trial 0 (rank 1 of 3) is promoted.
        #expect(s.nextJob()?.promotion?.trial == 0)
        #expect(s.nextJob() == nil && !s.isFinished)
        _ = s.report(trial: 0, resource: 3, value: 0)
        // Rung 1 holds one entry, rung 0's best candidate ranks 2 > 1: nothing left to do.
        #expect(s.nextJob() == nil)
        #expect(s.isFinished)
    }

    @Test func resourceBudget() throws {
        var s = try ASHAScheduler(
            space: SearchSpace([]),
            settings: SchedulerSettings(variant: .stopping, maxResource: 9, maxTotalResource: 10))
        _ = s.nextJob()
        _ = s.reportAll(trial: 0, resource: 9, value: 1)
        #expect(s.resourceUsed == 9 && s.phase(of: 0) == .completed)
        _ = s.nextJob()
        _ = s.report(trial: 1, resource: 1, value: 1)
        #expect(s.resourceUsed == 10)
        #expect(s.nextJob() == nil)
        #expect(!s.isFinished)  // trial 1 still runs
        s.trialEnded(1, outcome: .killed)
        #expect(s.isFinished)
    }

    @Test func configurationsComeFromTheSpace() throws {
        var s = try Self.scheduler(.promotion)
        #expect(s.configuration(of: 0) == nil)
        _ = s.nextJob()
        #expect(s.configuration(of: 0) == s.space.sample(index: 0, seed: 1))
        #expect(s.bracket(of: 0) == 0 && s.bracket(of: 1) == nil)
    }
}
