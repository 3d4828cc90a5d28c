import ASHA
import Foundation
import RunLog
import Testing

@testable import Tuner

@Suite struct SimulatedRunTests {
    @Test(arguments: [Variant.promotion, .stopping])
    func sameSeedSameRun(variant: Variant) throws {
        let a = Recorder()
        let b = Recorder()
        let sa = try makeTuner(settings(variant), sinks: [a]).run()
        let sb = try makeTuner(settings(variant), sinks: [b]).run()
        #expect(sa == sb)
        #expect(encoded(a.events) == encoded(b.events))
        #expect(sa.endReason == "finished")
        let other = Recorder()
        _ = try makeTuner(settings(variant, seed: 12), sinks: [other]).run()
        #expect(encoded(other.events) != encoded(a.events))
    }

    @Test(arguments: [Variant.promotion, .stopping])
    func workersNeverRunTwoJobsAndJobsPair(variant: Variant) throws {
        let r = Recorder()
        let summary = try makeTuner(settings(variant, trials: 80), workers: 3, sinks: [r]).run()
        var busy: [Int: TrialID] = [:]
        var maxBusy = 0
        var sampled = 0
        for e in r.events {
            switch e.body {
            case .trialSampled: sampled += 1
            case .jobStarted(let t, let w, _, _, _):
                #expect(busy[w] == nil, "worker \(w) started trial \(t) while busy")
                #expect(w < 3)
                busy[w] = t
                maxBusy = max(maxBusy, busy.count)
            case .jobEnded(let t, let w):
                #expect(busy[w] == t)
                busy[w] = nil
            default: break
            }
        }
        #expect(busy.isEmpty)
        #expect(maxBusy == 3)
        #expect(sampled == 80)
        #expect(summary.counts.values.reduce(0, +) == 80)
        #expect(summary.utilization > 0.5)
        // Events are numbered in order and time never runs backwards.
        for (i, e) in r.events.enumerated() { #expect(e.seq == i) }
        #expect(zip(r.events, r.events.dropFirst()).allSatisfy { $0.time <= $1.time })
    }

    @Test func promotedTrialsContinueWhereTheyStopped() throws {
        let r = Recorder()
        _ = try makeTuner(settings(.promotion, trials: 40), sinks: [r]).run()
        var lastResource: [TrialID: Int] = [:]
        var promotions = 0
        for e in r.events {
            switch e.body {
            case .jobStarted(let t, _, _, let from, let to):
                #expect(from == (lastResource[t] ?? 0), "trial \(t) restarted from \(from)")
                #expect(to > from)
            case .metric(let t, let res, _):
                #expect(res == (lastResource[t] ?? 0) + 1)
                lastResource[t] = res
            case .decision(let d) where d.action == .promote: promotions += 1
            default: break
            }
        }
        #expect(promotions > 0)
    }

    @Test func failuresAreDataAndTheRunGoesOn() throws {
        var objective = BowlObjective()
        objective.failBelow = 0.2
        objective.nanAbove = 0.9
        let r = Recorder()
        let summary = try makeTuner(settings(.stopping, trials: 50), objective: objective, sinks: [r]).run()
        let failures = r.events.compactMap { e -> (TrialID, String)? in
            if case .trialFailed(let t, let reason) = e.body { return (t, reason) }
            return nil
        }
        #expect(failures.contains { $0.1 == "the bowl cracked" })
        #expect(failures.contains { $0.1.hasPrefix("metric was NaN") })
        #expect(summary.counts[.failed] == failures.count)
        #expect(summary.endReason == "finished")
        #expect((summary.counts[.completed] ?? 0) > 0)
        #expect(summary.best.map { $0.value.isFinite } == true)
    }

    @Test func simulatedTimeBudgetEndsTheRun() throws {
        let r = Recorder()
        let summary = try makeTuner(
            settings(.stopping, trials: 10_000), workers: 2, maxSeconds: 30, sinks: [r]
        ).run()
        #expect(summary.endReason == "time budget")
        #expect(summary.seconds >= 30 && summary.seconds < 40)
        guard case .runEnded("time budget")? = r.events.last?.body else {
            Issue.record("the last event is not the end of the run")
            return
        }
    }

    @Test func newBestIsBestAtTheHighestResource() throws {
        let r = Recorder()
        let summary = try makeTuner(settings(.promotion, trials: 60), sinks: [r]).run()
        let bests = r.events.compactMap { e -> (Int, Double)? in
            if case .newBest(_, let res, let v) = e.body { return (res, v) }
            return nil
        }
        #expect(!bests.isEmpty)
        for (a, b) in zip(bests, bests.dropFirst()) {
            #expect(b.0 > a.0 || (b.0 == a.0 && b.1 < a.1))
        }
        let best = try #require(summary.best)
        #expect(best.resource == bests.last?.0)
        #expect(best.value == bests.last?.1)
        // The bowl's floor is at x = 0.3: the best trial should be near it.
        #expect(abs((best.config["x"]?.doubleValue ?? 9) - 0.3) < 0.2)
    }

    @Test func aTrialOverItsTimeLimitFails() throws {
        let r = Recorder()
        let tuner = try Tuner(
            objective: BowlObjective(), space: BowlObjective().defaultSpace,
            // The first rung is at 5: every trial reaches its limit (after 3 one-second steps) before a rung.
            settings: SchedulerSettings(variant: .stopping, minResource: 5, maxResource: 45, maxTrials: 5),
            options: TunerOptions(name: "t", workers: 2, trialTimeLimit: 2.5), backend: .simulated, sinks: [r])
        let summary = tuner.run()
        #expect(summary.counts[.failed] == 5)
        let reasons = r.events.compactMap { e -> String? in
            if case .trialFailed(_, let reason) = e.body { return reason }
            return nil
        }
        #expect(reasons.allSatisfy { $0 == "exceeded its time limit of 2.5 s" })
        // Each trial trained 3 one-second steps: the third took it past the limit.
        let metrics = r.events.filter { if case .metric = $0.body { true } else { false } }
        #expect(metrics.count == 15)
    }
}
