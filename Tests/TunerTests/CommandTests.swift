import ASHA
import Dispatch
import Foundation
import RunLog
import Testing

@testable import Tuner

/// Commands against the real Dispatch pool, racing with job completion.
@Suite struct CommandTests {
    func slowBowl() -> BowlObjective {
        var o = BowlObjective()
        o.sleep = 0.002
        return o
    }

    @Test func pauseResumeContinuesFromTheSameResource() throws {
        let r = Recorder()
        let tuner = try makeTuner(
            settings(.stopping, trials: 12), objective: slowBowl(), workers: 2, backend: .dispatch, sinks: [r])
        tuner.start()
        let firstMetric = try #require(r.waitFor { if case .metric(0, 2, _) = $0.body { true } else { false } })
        _ = firstMetric
        tuner.send(.pauseTrial(0))
        let paused = try #require(
            r.waitFor { if case .trialPaused(0, .user) = $0.body { true } else { false } })
        // While paused, trial 0 reports nothing.
        Thread.sleep(forTimeInterval: 0.05)
        let afterPause = r.events.filter { e in
            guard e.seq > paused.seq else { return false }
            if case .metric(0, _, _) = e.body { return true }
            return false
        }
        #expect(afterPause.isEmpty)
        let resourceAtPause = r.events.last { if case .metric(0, _, _) = $0.body { true } else { false } }
        tuner.send(.resumeTrial(0))
        let summary = tuner.waitUntilEnded()
        #expect(summary.endReason == "finished")
        // It went on from where it stopped, not from zero.
        guard case .metric(0, let pausedAt, _)? = resourceAtPause?.body else {
            Issue.record("no metric before the pause")
            return
        }
        let next = r.events.first { e in
            guard e.seq > paused.seq else { return false }
            if case .metric(0, _, _) = e.body { return true }
            return false
        }
        if case .metric(0, let res, _)? = next?.body {
            #expect(res == pausedAt + 1)
        } else {
            Issue.record("trial 0 never ran again after resume")
        }
        #expect(r.events.contains { if case .trialResumed(0, .user) = $0.body { true } else { false } })
    }

    @Test func killedTrialEndsAndIsNeverPromoted() throws {
        let r = Recorder()
        let tuner = try makeTuner(
            settings(.promotion, trials: 30), objective: slowBowl(), workers: 2, backend: .dispatch, sinks: [r])
        tuner.start()
        _ = try #require(r.waitFor { if case .jobStarted(1, _, _, _, _) = $0.body { true } else { false } })
        tuner.send(.killTrial(1))
        let killed = try #require(r.waitFor { if case .trialKilled(1) = $0.body { true } else { false } })
        let summary = tuner.waitUntilEnded()
        #expect(summary.counts[.killed] == 1)
        let later = r.events.filter { e in
            guard e.seq > killed.seq else { return false }
            switch e.body {
            case .jobStarted(1, _, _, _, _), .metric(1, _, _): return true
            case .decision(let d): return d.trial == 1
            default: return false
            }
        }
        #expect(later.isEmpty, "trial 1 ran after it was killed: \(later)")
    }

    @Test func pausedRunStartsNoJobs() throws {
        let r = Recorder()
        let tuner = try makeTuner(
            settings(.promotion, trials: 40), objective: slowBowl(), workers: 2, backend: .dispatch, sinks: [r])
        tuner.start()
        _ = try #require(r.waitFor { if case .metric(2, _, _) = $0.body { true } else { false } })
        tuner.send(.pauseRun)
        let paused = try #require(r.waitFor { if case .runPaused = $0.body { true } else { false } })
        // Running jobs finish; then nothing starts.
        _ = r.waitFor(seconds: 5) { _ in
            let e = r.events
            var running = 0
            for x in e {
                if case .jobStarted = x.body { running += 1 }
                if case .jobEnded = x.body { running -= 1 }
            }
            return running == 0
        }
        let quietFrom = r.events.count
        Thread.sleep(forTimeInterval: 0.1)
        let started = r.events.dropFirst(quietFrom).filter { if case .jobStarted = $0.body { true } else { false } }
        #expect(started.isEmpty)
        #expect(paused.seq < quietFrom)
        tuner.send(.resumeRun)
        let summary = tuner.waitUntilEnded()
        #expect(summary.endReason == "finished")
    }

    @Test func moreWorkersRunMoreJobsAtOnce() throws {
        let r = Recorder()
        let tuner = try makeTuner(
            settings(.stopping, trials: 24), objective: slowBowl(), workers: 1, backend: .dispatch, sinks: [r])
        tuner.start()
        tuner.send(.setWorkers(3))
        let summary = tuner.waitUntilEnded()
        #expect(summary.endReason == "finished")
        var busy = 0
        var most = 0
        var workersSeen = Set<Int>()
        for e in r.events {
            if case .jobStarted(_, let w, _, _, _) = e.body {
                busy += 1
                workersSeen.insert(w)
            }
            if case .jobEnded = e.body { busy -= 1 }
            most = max(most, busy)
        }
        #expect(most == 3)
        #expect(workersSeen == [0, 1, 2])
        #expect(r.events.contains { if case .workersChanged(3, .user) = $0.body { true } else { false } })
    }

    @Test func stopRunPausesRunningTrialsAndEndsWithTheReason() throws {
        let r = Recorder()
        let tuner = try makeTuner(
            settings(.stopping, trials: 100), objective: slowBowl(), workers: 2, backend: .dispatch, sinks: [r])
        tuner.start()
        _ = try #require(r.waitFor { if case .metric(1, 3, _) = $0.body { true } else { false } })
        tuner.send(.stopRun(reason: "user quit"))
        let summary = tuner.waitUntilEnded()
        #expect(summary.endReason == "user quit")
        guard case .runEnded("user quit")? = r.events.last?.body else {
            Issue.record("the log does not end with the reason")
            return
        }
        #expect(r.events.contains { if case .trialPaused(_, .tuner) = $0.body { true } else { false } })
        #expect(summary.counts[.running] == nil)
    }

    /// Many commands from several threads while jobs complete: the run still ends, every event is
    /// numbered in order, and no worker runs two jobs at once.
    @Test func commandStormKeepsInvariants() throws {
        let r = Recorder()
        let tuner = try makeTuner(
            settings(.promotion, trials: 80), objective: slowBowl(), workers: 3, backend: .dispatch, sinks: [r])
        tuner.start()
        DispatchQueue.concurrentPerform(iterations: 4) { k in
            for i in 0..<200 {
                let t = (i * 7 + k) % 40
                switch (i + k) % 6 {
                case 0: tuner.send(.pauseTrial(t))
                case 1: tuner.send(.resumeTrial(t))
                case 2: if i % 25 == 0 { tuner.send(.killTrial(t)) }
                case 3: tuner.send(i % 2 == 0 ? .pauseRun : .resumeRun)
                case 4: tuner.send(.setWorkers(1 + (i % 4)))
                default: tuner.send(.resumeTrial(t))
                }
                if i % 20 == 0 { Thread.sleep(forTimeInterval: 0.001) }
            }
        }
        // Release everything that may be held, then let it finish.
        tuner.send(.resumeRun)
        for t in 0..<80 { tuner.send(.resumeTrial(t)) }
        tuner.send(.setWorkers(3))
        let summary = tuner.waitUntilEnded()
        #expect(summary.endReason == "finished")
        var busy: [Int: Int] = [:]
        for (i, e) in r.events.enumerated() {
            #expect(e.seq == i)
            if case .jobStarted(let t, let w, _, _, _) = e.body {
                #expect(busy[w] == nil)
                busy[w] = t
            }
            if case .jobEnded(_, let w) = e.body { busy[w] = nil }
        }
        #expect(busy.isEmpty)
    }
}
