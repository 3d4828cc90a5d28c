import ASHA
import Foundation
import RunLog
import Testing

@testable import Tuner

/// Resuming from a log cut short: the scheduler's state is a fold over the events, so a resumed run
/// ends where the uninterrupted one did.
@Suite struct ResumeTests {
    /// Steps of different costs per configuration, so no two step completions tie on the simulated clock.
    func objective(canonicalStep: Double = 0) -> BowlObjective {
        var o = BowlObjective()
        o.costFromX = true
        o.canonicalStep = canonicalStep
        return o
    }

    func writeLog(_ events: ArraySlice<RunEvent>) throws -> String {
        let path = temporaryDirectory() + "/events.jsonl"
        let w = try LogWriter(creating: path, header: LogHeader(program: "test", spec: "", seed: 0))
        for e in events { w.receive(e) }
        w.close()
        return path
    }

    func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "ashb-resume-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `tpe-grid`: the objective counts x within one 0.05 cell as the same configuration, so the 80 trials
    /// exhaust its 21 cells and the sampler's duplicate set (rebuilt by the fold) decides many samples
    /// (and what the repeats copy: `exhausted: rescue`, whose stopping rule keeps a target it pads for).
    /// `tpe` models one level's results, `tpe-progress` every trial by how far it got (the ones without a
    /// result bad).
    @Test(arguments: [Variant.promotion, .stopping], ["random", "tpe", "tpe-progress", "tpe-grid"])
    func resumedRunsEndWhereTheUninterruptedRunEnded(variant: Variant, sampler: String) throws {
        var s = settings(variant, trials: 80, brackets: 2)
        if sampler != "random" {
            s.sampler = .tpe(TPESettings(minPoints: 3, split: sampler == "tpe-progress" ? .progress : .level))
        }
        let objective = objective(canonicalStep: sampler == "tpe-grid" ? 0.05 : 0)
        let full = Recorder()
        let uninterrupted = try makeTuner(s, objective: objective, workers: 3, sinks: [full])
        let expected = uninterrupted.run()
        let expectedRungs = uninterrupted.rungContents()
        let events = full.events
        let fromModel = events.filter { e in
            if case .trialSampled(_, _, _, let detail) = e.body, case .model? = detail.origin { return true }
            return false
        }.count
        // With tpe most trials after the first few come from the model; with random none say where from.
        // (tpe-grid: once all 21 cells are taken every candidate is a duplicate, and the draw is random.)
        #expect(sampler == "random" ? fromModel == 0 : fromModel > (sampler == "tpe-grid" ? 5 : 20))
        if sampler == "tpe-grid" {
            // The first 21 trials fill (nearly) all 21 cells, one each.
            let cells = events.compactMap { e -> Configuration? in
                guard case .trialSampled(_, _, let config, _) = e.body else { return nil }
                return objective.canonicalConfiguration(config)
            }
            #expect(cells.count == 80 && Set(cells.prefix(15)).count == 15 && Set(cells.prefix(21)).count >= 19)
            // Exhausted, the repeats deepen the rungs (`exhausted: deepen`, the default): the run differs
            // from one that repeats the seed's draws, so the cuts below resume through them.
            var draw = s
            draw.sampler = .tpe(TPESettings(minPoints: 3, exhausted: .draw))
            let drawn = Recorder()
            _ = try makeTuner(draw, objective: objective, workers: 3, sinks: [drawn]).run()
            // (run_started records the setting; the events after it differ too.)
            #expect(drawn.events.dropFirst().map(\.body) != events.dropFirst().map(\.body))
            // Stopping: the repeats rescue stopped configurations (`exhausted: rescue`, the default), which
            // differs from deepen's; with promotion rescue is deepen.
            var deepen = s
            deepen.sampler = .tpe(TPESettings(minPoints: 3, exhausted: .deepen))
            let deepened = Recorder()
            _ = try makeTuner(deepen, objective: objective, workers: 3, sinks: [deepened]).run()
            let same = deepened.events.dropFirst().map(\.body) == events.dropFirst().map(\.body)
            #expect(same == (variant == .promotion))
        }
        // Cut early, mid-rung (right after a metric), right after a promotion, and late.
        var cuts = [12, events.count / 2, events.count - 5]
        if let m = events.indices.first(where: { i in
            i > events.count / 3 && { if case .metric = events[i].body { true } else { false } }()
        }) {
            cuts.append(m + 1)
        }
        if variant == .promotion,
            let p = events.indices.first(where: { i in
                i > 40 && { if case .decision(let d) = events[i].body { d.action == .promote } else { false } }()
            })
        {
            cuts.append(p + 1)
        }
        for cut in cuts {
            let path = try writeLog(events[..<cut])
            let resumed = Recorder()
            let tuner = try makeTuner(s, objective: objective, workers: 3, sinks: [resumed])
            let restored = try tuner.restore(from: try LogReader(path: path))
            #expect(restored == cut)
            let summary = tuner.run()
            #expect(summary.endReason == "finished", "cut \(cut)")
            #expect(summary.best?.trial == expected.best?.trial, "cut \(cut)")
            #expect(summary.best?.value == expected.best?.value, "cut \(cut)")
            #expect(tuner.rungContents() == expectedRungs, "cut \(cut): rungs differ")
            // The resumed part is numbered after the log. It starts with the record of the resume, unless
            // the log was cut between a metric and the scheduler's answer: then the decisions (new bests,
            // completion) the log lacks come first, exactly as the uninterrupted run recorded them.
            #expect(resumed.events.first?.seq == cut)
            guard let c = resumed.events.firstIndex(where: { if case .runContinued = $0.body { true } else { false } })
            else {
                Issue.record("cut \(cut): the resumed run records no run_continued")
                continue
            }
            #expect(resumed.events[c].body == .runContinued(events: cut + c))
            #expect(resumed.events[..<c].map(\.body) == events[cut..<(cut + c)].map(\.body), "cut \(cut)")
            if case .metric = events[cut - 1].body {} else { #expect(c == 0, "cut \(cut)") }
            // New trials continue the sampling sequence.
            let sampled = resumed.events.compactMap { e -> TrialID? in
                if case .trialSampled(let t, _, _, _) = e.body { return t }
                return nil
            }
            let before = events[..<cut].filter { if case .trialSampled = $0.body { true } else { false } }.count
            #expect(sampled == Array(before..<(before + sampled.count)))
            // And they are the configurations the uninterrupted run sampled (the model rebuilt from the log).
            for e in resumed.events {
                guard case .trialSampled(let t, _, let config, let detail) = e.body else { continue }
                let original = events.first { if case .trialSampled(t, _, _, _) = $0.body { true } else { false } }
                guard case .trialSampled(_, _, let expectedConfig, let expectedDetail)? = original?.body else {
                    Issue.record("cut \(cut): trial \(t) was not sampled by the uninterrupted run")
                    continue
                }
                #expect(config == expectedConfig && detail == expectedDetail, "cut \(cut): trial \(t)")
            }
        }
    }

    /// A version 2 log numbers events by place: a bad line that a lenient resume skipped after the last event
    /// still takes its number, and the resumed run numbers its events after it, as a reader of the log does.
    @Test func aLenientResumeNumbersItsEventsAfterABadLastLine() throws {
        let full = Recorder()
        _ = try makeTuner(settings(.promotion, trials: 20), objective: objective(), sinks: [full]).run()
        let path = try writeLog(full.events[..<40])
        let h = try #require(FileHandle(forWritingAtPath: path))
        h.seekToEndOfFile()
        h.write(Data("garbled\n".utf8))
        h.closeFile()
        let reader = try LogReader(path: path, lenient: true)
        let resumed = Recorder()
        let tuner = try makeTuner(settings(.promotion, trials: 20), objective: objective(), sinks: [resumed])
        #expect(try tuner.restore(from: reader) == 40)
        #expect(reader.warnings.count == 1)
        #expect(reader.nextSeq == 41)
        #expect(tuner.nextSeq == 41)
        let log = try LogWriter(appendingTo: path, validLength: reader.liveValidLength)
        tuner.addSink(log)
        _ = tuner.run()
        log.close()
        #expect(resumed.events.first?.seq == 41)
        let back = try LogReader(path: path, lenient: true).readAll()
        #expect(back.map(\.seq) == Array(0..<40) + resumed.events.map(\.seq))
    }

    @Test func aLogThatContradictsItsSeedIsRefused() throws {
        let full = Recorder()
        _ = try makeTuner(settings(.promotion, trials: 20), objective: objective(), sinks: [full]).run()
        let path = try writeLog(full.events[..<40])
        let other = try makeTuner(settings(.promotion, trials: 20, seed: 999), objective: objective(), sinks: [])
        #expect(throws: RestoreError.self) { try other.restore(from: try LogReader(path: path)) }
    }
}
