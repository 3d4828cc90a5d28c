import ASHA
import Dashboard
import RunFixtures
import RunLog
import Testing

@Suite("Reducer")
struct ReducerTests {
    /// Three trials reach rung 0, one is promoted to rung 1, a fourth starts.
    func promotionRun() -> EventBuilder {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info()))
        b.firstRung(0, worker: 0, value: 0.5, size: 1)
        b.firstRung(1, worker: 1, value: 0.4, size: 2)
        b.firstRung(2, worker: 0, value: 0.6, size: 3, cutoff: 0.4)
        b.add(EventBuilder.decision(1, rung: 0, resource: 1, value: 0.4, action: .promote, cutoff: 0.4, size: 3))
        b.add(.jobStarted(trial: 1, worker: 1, rung: 1, fromResource: 1, toResource: 3), at: 4)
        b.add(.metric(trial: 1, resource: 2, value: 0.35), at: 5)
        b.add(.trialSampled(trial: 3, bracket: 0, config: EventBuilder.config(0.1)))
        b.add(.jobStarted(trial: 3, worker: 0, rung: 0, fromResource: 0, toResource: 1), at: 6)
        return b
    }

    @Test func rungOccupancyInThePromotionVariant() {
        let m = DashboardModel(events: promotionRun().events)
        let r0 = m.rungs[0][0]
        #expect(r0.resource == 1)
        #expect(r0.reached == 3)
        #expect(r0.promoted == 1)
        #expect(r0.running == 1)
        #expect(r0.waiting == 2)
        #expect(r0.cutoff == 0.4)
        let r1 = m.rungs[0][1]
        #expect(r1.resource == 3)
        #expect(r1.reached == 0)
        #expect(r1.running == 1)
        #expect(r1.waiting == 0)
        #expect(m.rungs[0][2].running == 0)
    }

    @Test func workerSlotsFollowJobs() {
        let m = DashboardModel(events: promotionRun().events)
        #expect(m.workers.count == 2)
        #expect(m.workers[0].trial == 3)
        #expect(m.workers[0].rung == 0)
        #expect(m.workers[0].toResource == 1)
        #expect(m.workers[0].started == 6)
        #expect(m.workers[1].trial == 1)
        #expect(m.workers[1].fromResource == 1)
        #expect(m.workers[1].toResource == 3)
        #expect(m.workers[1].resource == 2)
        #expect(m.workers[1].metric == 0.35)
        #expect(m.busyWorkers == 2)
        var b = promotionRun()
        b.add(.jobEnded(trial: 3, worker: 0))
        let ended = DashboardModel(events: b.events)
        #expect(ended.workers[0].trial == nil)
        #expect(ended.busyWorkers == 1)
    }

    @Test func statusesFromEvents() {
        var b = promotionRun()
        #expect(DashboardModel(events: b.events).count(.running) == 2)
        #expect(DashboardModel(events: b.events).count(.waiting) == 2)
        b.add(.trialPaused(trial: 0, by: .user))
        b.add(.trialKilled(trial: 2))
        b.add(.trialFailed(trial: 3, reason: "boom"))
        b.add(.jobEnded(trial: 3, worker: 0))
        let m = DashboardModel(events: b.events)
        #expect(m.trial(0)?.status == .paused)
        #expect(m.trial(2)?.status == .killed)
        #expect(m.trial(3)?.status == .failed)
        #expect(m.count(.running) == 1)
        #expect(m.count(.waiting) == 0)
        #expect(m.count(.paused) == 1)
        #expect(m.rungs[0][0].waiting == 0)
        #expect(m.rungs[0][0].running == 0)
        // Trial 0 was paused while waiting at its rung: it owes no job, so it waits again when resumed;
        // trial 1 was paused mid-job: it is queued for a worker to finish that job.
        b.add(.trialResumed(trial: 0, by: .user))
        b.add(.trialPaused(trial: 1, by: .user))
        b.add(.jobEnded(trial: 1, worker: 1))
        b.add(.trialResumed(trial: 1, by: .user))
        let resumed = DashboardModel(events: b.events)
        #expect(resumed.trial(0)?.status == .waiting)
        #expect(resumed.trial(1)?.status == .queued)
        #expect(resumed.run.queued == [1])
    }

    @Test func stoppingVariantContinuesAndStops() {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info(variant: .stopping)))
        for t in 0..<2 {
            b.add(.trialSampled(trial: t, bracket: 0, config: EventBuilder.config(0.01)))
            b.add(.jobStarted(trial: t, worker: t, rung: 0, fromResource: 0, toResource: 9))
        }
        b.add(.metric(trial: 0, resource: 1, value: 0.3))
        b.add(EventBuilder.decision(0, rung: 0, resource: 1, value: 0.3, action: .continue, reason: .withinCutoff))
        b.add(.metric(trial: 1, resource: 1, value: 0.9))
        b.add(
            EventBuilder.decision(
                1, rung: 0, resource: 1, value: 0.9, action: .stop, cutoff: 0.3, rank: 2, size: 2,
                reason: .worseThanCutoff))
        b.add(.jobEnded(trial: 1, worker: 1))
        let m = DashboardModel(events: b.events)
        #expect(m.rungs[0][0].reached == 2)
        #expect(m.rungs[0][0].promoted == 1)
        #expect(m.rungs[0][0].stopped == 1)
        #expect(m.rungs[0][0].running == 0)
        #expect(m.rungs[0][1].running == 1)
        #expect(m.trial(0)?.status == .running)
        #expect(m.trial(1)?.status == .stopped)
        #expect(m.trial(1)?.highestRung == 0)
        #expect(m.trial(1).map { m.decisions(of: $0) }?.last?.action == .stop)
    }

    @Test func stoppingJobsRunTowardsTheNextRungWhateverTheirTarget() {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info(variant: .stopping)))
        b.add(.trialSampled(trial: 0, bracket: 0, config: EventBuilder.config(0.01)))
        b.add(.jobStarted(trial: 0, worker: 0, rung: 2, fromResource: 0, toResource: 9))
        b.add(.trialSampled(trial: 1, bracket: 0, config: EventBuilder.config(0.02)))
        b.add(.jobStarted(trial: 1, worker: 1, rung: 2, fromResource: 3, toResource: 9))
        let m = DashboardModel(events: b.events)
        #expect(m.rungs[0].map(\.running) == [1, 0, 1])
        let demo = DashboardModel(
            events: RecordedRun.events(count: 300, workers: 4, finish: true, variant: .stopping))
        #expect(demo.count(.stopped) > 0)
        #expect(demo.count(.completed) > 0)
        #expect(demo.rungs[0].allSatisfy { $0.running == 0 && $0.waiting == 0 })
        #expect(demo.rungs[0][0].reached == demo.rungs[0][0].promoted + demo.rungs[0][0].stopped)
    }

    @Test func completionCountsAtTheTopRung() {
        var b = promotionRun()
        b.add(.metric(trial: 1, resource: 9, value: 0.2))
        b.add(EventBuilder.decision(1, rung: 2, resource: 9, value: 0.2, action: .complete, reason: .topRung))
        b.add(.trialCompleted(trial: 1, resource: 9, value: 0.2))
        b.add(.jobEnded(trial: 1, worker: 1))
        let m = DashboardModel(events: b.events)
        #expect(m.trial(1)?.status == .completed)
        #expect(m.count(.completed) == 1)
        #expect(m.rungs[0][2].completed == 1)
        #expect(m.rungs[0][1].running == 0)
    }

    @Test func bestAndItsSeries() {
        var b = promotionRun()
        b.add(.newBest(trial: 0, resource: 1, value: 0.5), at: 1)
        b.add(.newBest(trial: 1, resource: 1, value: 0.4), at: 2)
        let m = DashboardModel(events: b.events)
        #expect(m.best == BestRecord(trial: 1, value: 0.4, resource: 1, time: 2))
        #expect(m.bestSeries.map(\.value) == [0.5, 0.4])
        #expect(m.trial(1)?.config["lr"] == .double(0.002))
    }

    @Test func messagesNewestFirstAndBounded() {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info()))
        for t in 0..<1010 { b.add(.trialSampled(trial: t, bracket: 0, config: EventBuilder.config(0.01))) }
        b.add(.trialFailed(trial: 0, reason: "first"))
        b.add(.trialKilled(trial: 1))
        b.add(.workersChanged(count: 3, by: .user))
        let m = DashboardModel(events: b.events)
        #expect(
            m.recentMessages(10).map(\.text) == ["workers set to 3 by user", "trial 1 killed", "trial 0 failed: first"])
        #expect(m.workerCount == 3)
        #expect(m.workers.count == 3)
        for i in 0..<1000 { b.add(.trialFailed(trial: 10 + i, reason: "r\(i)")) }
        let many = DashboardModel(events: b.events)
        #expect(many.messageCount == DashboardModel.messageCapacity)
        #expect(many.recentMessages(1).first?.text == "trial 1009 failed: r999")
        #expect(many.count(.failed) == 1001)
    }

    @Test func runPausedEndedAndElapsed() {
        var b = promotionRun()
        b.add(.runPaused(by: .user), at: 7)
        var m = DashboardModel(events: b.events)
        #expect(m.runPaused)
        #expect(m.elapsed == 7)
        b.add(.runResumed(by: .user), at: 8)
        b.add(.runEnded(reason: "budget"), at: 9)
        m = DashboardModel(events: b.events)
        #expect(!m.runPaused)
        #expect(m.isEnded)
        #expect(m.endedReason == "budget")
        #expect(m.elapsed == 9)
    }

    @Test func tunerMessagesAndContinuedRuns() {
        var b = promotionRun()
        b.add(.message(trial: 2, text: "checkpoint lost\u{1b}[2J; training again"))
        b.add(.message(trial: nil, text: "disk almost full"))
        b.add(.runPaused(by: .tuner))
        b.add(.runEnded(reason: "interrupted"))
        #expect(DashboardModel(events: b.events).isEnded)
        b.add(.runContinued(events: b.events.count))
        let m = DashboardModel(events: b.events)
        #expect(!m.isEnded)
        #expect(!m.runPaused)
        #expect(
            m.recentMessages(4).map(\.text) == [
                "run resumed from its log after 25 events", "run ended: interrupted", "run paused by tuner",
                "disk almost full",
            ])
        #expect(m.recentMessages(5).last?.text == "trial 2: checkpoint lost; training again")
    }

    @Test func reportsPerSecondOverTheWindow() {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info(ladders: [[1, 3, 9, 27]])))
        b.add(.trialSampled(trial: 0, bracket: 0, config: EventBuilder.config(0.01)))
        b.add(.jobStarted(trial: 0, worker: 0, rung: 3, fromResource: 0, toResource: 27))
        for i in 0...20 { b.add(.metric(trial: 0, resource: i + 1, value: 1), at: Double(i) * 0.5) }
        let m = DashboardModel(events: b.events)
        // Reports at 5.0, 5.5, ..., 10.0 fall in the last 5 seconds: 11 reports / 5 s.
        #expect(abs(m.reportsPerSecond - 2.2) < 1e-9)
        #expect(m.totalResource == 21)
        // The run's clock goes on with no report: the window moves past them, and the rate falls to 0.
        #expect(abs(m.reportsPerSecond(at: 12.5) - 1.2) < 1e-9)  // 7.5 ... 10.0: 6 reports / 5 s
        #expect(m.reportsPerSecond(at: 15.5) == 0)
        #expect(m.reportsPerSecond(at: 3) == m.reportsPerSecond)  // never before the last event
    }

    @Test func learningCurvesAreBounded() {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info()))
        for r in 1...1000 { b.add(.metric(trial: 0, resource: r, value: 1 / Double(r))) }
        let m = DashboardModel(events: b.events)
        let t = m.trial(0)!
        let curve = m.curve(of: t)
        #expect(curve.count <= TrialRecord.curveCapacity)
        #expect(curve.first?.resource == 1)
        #expect(curve.last?.resource == 1000)
        #expect(t.lastMetric == 0.001)
    }

    @Test func budgetUsesTheLargestFraction() {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info(maxTrials: 8)))
        b.firstRung(0, worker: 0, value: 0.5, size: 1)
        b.firstRung(1, worker: 1, value: 0.4, size: 2)
        let budget = DashboardModel(events: b.events).budgetUsed
        #expect(budget?.fraction == 0.25)
        #expect(budget?.label == "trials 2/8")
    }
}

@Suite("Agreement with RunLog's trial table")
struct AgreementTests {
    /// The dashboard and the log's own fold (what `export` writes) tell the same story per trial.
    @Test(arguments: [Variant.promotion, .stopping])
    func finishedRunsAgreeTrialByTrial(variant: Variant) {
        let events = RecordedRun.events(count: 300, workers: 5, brackets: 2, finish: true, variant: variant)
        let table = RunState(events: events)
        let model = DashboardModel(events: events)
        #expect(model.trials.count == table.trials.count)
        for row in table.trials {
            let t = model.trial(row.id)
            #expect(t?.status == row.status, "trial \(row.id)")
            #expect((t?.highestRung ?? -1) == row.highestRung, "trial \(row.id)")
            #expect(t?.lastMetric == row.lastValue, "trial \(row.id)")
        }
        for (status, n) in table.counts { #expect(model.count(status) == n, "\(status)") }
        #expect(model.best?.trial == table.best?.trial)
        #expect(model.isEnded == (table.endReason != nil))
    }
}
