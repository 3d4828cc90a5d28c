import ASHA
import Dashboard
import Foundation
import RunLog
import Testing
import Tuner

@testable import AshbTop

/// The recorded fixture `Fixtures/replay-fixture/events.jsonl` (found from this file's path) was written by
/// `ashb-top run` with the spec in its header (`clock: simulated`, seed 11: promotion ASHA on branin, 2
/// brackets, 4 workers, 60 trials, 672 events). The live run is re-run here from that spec through the
/// Experiment and Tuner API, and the replay must end where the live run ended.
@Suite struct ReplayFixtureTests {
    static let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/replay-fixture").path
    static let fixtureLog = fixtureDirectory + "/events.jsonl"

    /// The live run of the fixture's spec: its events (through an `EventInbox`, as the dashboard gets them),
    /// its summary and description.
    static func liveRun(specText: String? = nil) throws -> (events: [RunEvent], summary: RunSummary, info: RunInfo) {
        let spec = try specText ?? LogReader(path: fixtureLog).header.spec
        var experiment = try Experiment.load(
            specText: spec, label: "fixture", baseDirectory: nil, seed: nil, workers: nil, simulate: false)
        // The fixture was recorded when a spec without `sampler` sampled at random, as its log says; the
        // spec is read as `resume` reads it.
        experiment.settings.sampler = ResumeCommand.samplerAsLogged(
            experiment.settings.sampler, given: experiment.spec.samplerGiven, log: fixtureLog)
        let inbox = EventInbox()
        let tuner = try experiment.makeTuner(sinks: [inbox])
        let summary = tuner.run()
        return (inbox.drain(), summary, tuner.info)
    }

    /// The replay's timeline, read the way `ashb-top replay` reads it: the feed indexes the log and the
    /// timeline keeps only a few small blocks, reading the others again from the file.
    static func replayTimeline(_ path: String = fixtureLog, until: Double? = nil) throws -> ReplayTimeline {
        let feed = LogReplayFeed(reader: try LogReader(path: path), follow: false, until: until, markInterval: 32)
        let timeline = ReplayTimeline(
            snapshotInterval: 64, maxSnapshots: 4, source: feed.index, blockSize: feed.markInterval, cachedBlocks: 2)
        while !feed.isFinished { timeline.append(contentsOf: try feed.read(limit: 100)) }
        return timeline
    }

    /// A frame of `model` with a fresh view state, so that only the model decides what is drawn.
    static func frame(_ model: DashboardModel, _ size: Size) -> String {
        var ui = UIState()
        ui.screen = size
        ui.sync(with: model)
        return render(model: model, ui: ui, size: size).text
    }

    @Test func theFixtureIsWhatItsSpecRecords() throws {
        let live = try Self.liveRun()
        let recorded = try LogReader(path: Self.fixtureLog).readAll()
        #expect(recorded.count == 672)
        #expect(live.events == recorded, "the tuner no longer writes this log; regenerate the fixture")
    }

    @Test func replayEndsOnTheLiveRunsModelAndFrame() throws {
        let live = try Self.liveRun()
        let liveModel = DashboardModel(events: live.events)
        let timeline = try Self.replayTimeline()
        var player = ReplayPlayer(timeline: timeline, playing: false)
        _ = player.perform(.end, timeline: timeline, trial: nil, complete: true)
        let replayed = player.model
        #expect(replayed.eventCount == liveModel.eventCount)
        #expect(replayed.isEnded && replayed.endedReason == "finished")
        #expect(replayed.best == liveModel.best)
        for status in TrialStatus.allCases { #expect(replayed.count(status) == liveModel.count(status)) }
        for size in [Size(width: 120, height: 40), Size(width: 80, height: 24)] {
            #expect(Self.frame(replayed, size) == Self.frame(liveModel, size), "\(size)")
        }
        // Played through at full speed instead of jumping: the same final frame.
        var fast = ReplayPlayer(timeline: timeline, playing: true, speed: .infinity)
        while fast.playing { _ = fast.advance(wallSeconds: 0.01, timeline: timeline, complete: true) }
        #expect(
            Self.frame(fast.model, Size(width: 120, height: 40)) == Self.frame(liveModel, Size(width: 120, height: 40)))
    }

    @Test func seekingBackAndForthMatchesTheLiveRunAtEveryStop() throws {
        let live = try Self.liveRun()
        let timeline = try Self.replayTimeline()
        var player = ReplayPlayer(timeline: timeline, playing: false)
        let size = Size(width: 120, height: 40)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<40 {
            let target = Int(rng.next() % UInt64(live.events.count + 1))
            _ = player.perform(.jump(.event(target)), timeline: timeline, trial: nil, complete: true)
            let straight = DashboardModel(events: live.events.prefix(target))
            #expect(Self.frame(player.model, size) == Self.frame(straight, size), "event \(target)")
        }
    }

    @Test func headlessSummaryIsTheLiveRunsSummary() throws {
        let live = try Self.liveRun()
        let r = try runAshbTop(["replay", Self.fixtureDirectory, "--headless"])
        #expect(r.status == 0, "stderr: \(r.err)")
        #expect(r.err.isEmpty)
        #expect(r.out == summaryText(live.summary, info: live.info, logPath: Self.fixtureLog))
        #expect(r.out.contains("Best trial     52: value = 3.76915 at resource 27"))
    }

    /// `run --headless` prints a summary at its end; `replay --headless` on the log it wrote prints the same.
    @Test(arguments: ["promotion", "stopping"])
    func replayPrintsWhatRunPrinted(variant: String) throws {
        let root = newDirectory()
        let spec = temporaryFile(
            "s.yaml",
            """
            name: again
            objective: {name: branin, cost: 0.5, noise: 0.05}
            scheduler: {variant: \(variant), max_resource: 27, brackets: 2}
            workers: 3
            budget: {trials: 40}
            seed: 4
            clock: simulated
            """)
        let run = try runAshbTop(["run", spec, "--headless", "--runs-dir", root])
        #expect(run.status == 0, "stderr: \(run.err)")
        let summary = try #require(run.out.range(of: "\n== Summary")).lowerBound
        let replay = try runAshbTop(["replay", try onlyRun(in: root), "--headless"])
        #expect(replay.status == 0, "stderr: \(replay.err)")
        #expect(replay.out == String(run.out[summary...]))
    }

    /// A resumed run's summary (utilization measured from the resume on) is what a replay of its log prints.
    @Test func replayPrintsWhatResumePrinted() throws {
        let root = newDirectory()
        let spec = temporaryFile("s.yaml", try LogReader(path: Self.fixtureLog).header.spec)
        let run = try runAshbTop(["run", spec, "--headless", "--runs-dir", root])
        #expect(run.status == 0, "stderr: \(run.err)")
        let dir = try onlyRun(in: root)
        let resume = try runAshbTop(["resume", dir, "--extend", "20", "--headless"])
        #expect(resume.status == 0, "stderr: \(resume.err)")
        let summary = try #require(resume.out.range(of: "\n== Summary")).lowerBound
        #expect(resume.out.contains("Trials         80:"))
        let replay = try runAshbTop(["replay", dir, "--headless"])
        #expect(replay.status == 0, "stderr: \(replay.err)")
        #expect(replay.out == String(resume.out[summary...]))
    }

    @Test func untilStopsThere() throws {
        let events = try LogReader(path: Self.fixtureLog).readAll()
        var expected = RunState()
        for e in events where e.time <= 20 { expected.apply(e) }
        let info = try #require(expected.info)
        for until in ["20", "20s", "0m20s"] {
            let r = try runAshbTop(["replay", Self.fixtureLog, "--headless", "--until", until])
            #expect(r.status == 0, "stderr: \(r.err)")
            #expect(r.out == summaryText(expected.summary, info: info, logPath: Self.fixtureLog))
            #expect(r.out.contains("Ended          not ended"))
        }
        let timeline = try Self.replayTimeline(until: 20)
        #expect(timeline.count == events.filter { $0.time <= 20 }.count)
        #expect(timeline.count < events.count)
        let bad = try runAshbTop(["replay", Self.fixtureLog, "--headless", "--until", "soon"])
        #expect(bad.status != 0)
        #expect(bad.err.contains("--until: not a time: 'soon'"))
    }
}
