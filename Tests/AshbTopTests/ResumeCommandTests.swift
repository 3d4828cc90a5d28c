import ASHA
import Foundation
import Objectives
import RunLog
import Testing

@testable import AshbTop
@testable import Tuner

/// `ashb-top resume` on real processes.
@Suite(.serialized) struct ResumeCommandTests {
    let spec = """
        name: resumable
        objective: {name: branin, cost: 0.004, sleep: true}
        scheduler: {variant: promotion, max_resource: 27}
        workers: 2
        budget: {trials: 150}
        seed: 8
        """

    /// Starts a headless run and kills it with SIGKILL once its log holds `decisions` decisions (and,
    /// with `packed`, once its checkpoint pack holds something).
    func killedRun(decisions: Int, packed: Bool = false) throws -> String {
        let root = newDirectory()
        let specPath = temporaryFile("r.yaml", spec)
        let p = try startHeadlessRun(specPath, root: root) { run, log in
            log.components(separatedBy: "\"type\":\"decision\"").count > decisions
                && (!packed
                    || ((try? FileManager.default.attributesOfItem(atPath: run + "/checkpoints/trials.pack"))?[.size]
                        as? Int ?? 0) > 0)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        return try onlyRun(in: root)
    }

    /// The rung entries (bracket, rung, trial, value) recorded by non-promotion decisions in a log.
    func rungEntries(_ events: [RunEvent]) -> Set<String> {
        Set(
            events.compactMap { e in
                guard case .decision(let d) = e.body, d.action != .promote else { return nil }
                return "\(d.bracket)/\(d.rung)/\(d.trial)/\(d.value)"
            })
    }

    @Test func killedRunResumesAndKeepsEveryRungResult() throws {
        let run = try killedRun(decisions: 40)
        let before = try LogReader(path: run + "/events.jsonl").readAll()
        let spills = { try FileManager.default.contentsOfDirectory(atPath: run).filter { $0.hasSuffix(".spill") } }
        // A spill file like the one a killed process leaves when its idle trials spill to a private store.
        let stale = run + "/checkpoints-99999-abc.spill"
        #expect(FileManager.default.createFile(atPath: stale, contents: Data(repeating: 7, count: 4096)))
        let r = try runAshbTop(["resume", run, "--headless"])
        #expect(try spills().isEmpty, "a resume removes stale spill files, and its own at the end")
        #expect(r.status == 0, "stderr: \(r.err)")
        #expect(r.out.contains("run resumed from its log after \(before.count) events"))
        #expect(r.out.contains("Ended          finished"))
        let afterReader = try LogReader(path: run + "/events.jsonl")
        let after = try afterReader.readAll()
        #expect(after.count > before.count)
        #expect(rungEntries(Array(after[..<before.count])) == rungEntries(before))
        // A version 2 log, numbered by place: the resumed run's events go on from the last one's number.
        #expect(afterReader.header.version == 2)
        #expect(after.map(\.seq) == Array(0..<after.count))
        #expect(Array(after[..<before.count]) == before)
        // Folding the whole log again gives a scheduler whose rungs hold every result recorded before the kill.
        let x = try Experiment.load(
            specText: spec, label: "spec", baseDirectory: nil, seed: nil, workers: nil, simulate: false)
        let tuner = try x.makeTuner(sinks: [])
        try tuner.restore(from: try LogReader(path: run + "/events.jsonl"))
        let rungs = tuner.rungContents()
        var inRungs = Set<String>()
        for (b, bracket) in rungs.enumerated() {
            for (k, rung) in bracket.enumerated() {
                for e in rung { inRungs.insert("\(b)/\(k)/\(e.trial)/\(e.value)") }
            }
        }
        #expect(rungEntries(before).isSubset(of: inRungs))
        #expect(tuner.restoredEndReason == "finished")
        #expect(!FileManager.default.fileExists(atPath: run + "/lock"))

        // A finished run is left alone.
        let again = try runAshbTop(["resume", run, "--headless"])
        #expect(again.status == 0)
        #expect(again.out.contains("is finished (finished); nothing to resume"))
        #expect(try LogReader(path: run + "/events.jsonl").readAll().count == after.count)
    }

    @Test func resumedTrialsContinueFromTheirCheckpoints() throws {
        let run = try killedRun(decisions: 40, packed: true)
        let before = try LogReader(path: run + "/events.jsonl").readAll()
        var trained = Set<Int>()
        for e in before { if case .metric(let t, _, _) = e.body { trained.insert(t) } }
        let r = try runAshbTop(["resume", run, "--headless"])
        #expect(r.status == 0, "stderr: \(r.err)")
        let after = try LogReader(path: run + "/events.jsonl").readAll()[before.count...]
        var continued = Set<Int>()
        var fromZero = Set<Int>()
        for e in after {
            if case .jobStarted(let t, _, _, _, _) = e.body, trained.contains(t) { continued.insert(t) }
            if case .message(let t?, let text) = e.body {
                #expect(!text.contains("ahead") && !text.contains("corrupt") && !text.contains("unusable"), "\(text)")
                fromZero.insert(t)
            }
        }
        #expect(!continued.subtracting(fromZero).isEmpty, "no trial continued from a checkpoint")
    }

    @Test func refusalsSayWhyAndChangeNothing() throws {
        let run = try killedRun(decisions: 5)
        let log = run + "/events.jsonl"
        let original = try Data(contentsOf: URL(fileURLWithPath: log))

        // A live writer holds the lock.
        let held = try RunLock(directory: run)
        let locked = try runAshbTop(["resume", run, "--headless"])
        #expect(locked.status != 0)
        #expect(locked.err.contains("being written by a live process (pid \(getpid())"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == original)
        #expect(FileManager.default.fileExists(atPath: run + "/lock"))
        held.release()

        // Not a run directory.
        let missing = try runAshbTop(["resume", run + "/nope", "--headless"])
        #expect(missing.status != 0)
        #expect(missing.err.contains("is not a run directory"))

        // A log from a newer schema version.
        var text = String(decoding: original, as: UTF8.self)
        text = text.replacingOccurrences(of: "{\"ashb_log\":\(LogHeader.currentVersion),", with: "{\"ashb_log\":7,")
        #expect(text.hasPrefix("{\"ashb_log\":7,"))
        let newer = newDirectory()
        try text.write(toFile: newer + "/events.jsonl", atomically: true, encoding: .utf8)
        let future = try runAshbTop(["resume", newer, "--headless"])
        #expect(future.status != 0)
        #expect(future.err.contains("schema version 7"))
        #expect(try String(contentsOfFile: newer + "/events.jsonl", encoding: .utf8) == text)
        #expect(!FileManager.default.fileExists(atPath: newer + "/lock"))
    }
}

/// A tpe run logged before `avoid_duplicates`, `split` or `exhausted` existed: its spec, parsed again, takes the new
/// defaults, so resume keeps the log's settings (checked by hand too: a log of the previous build resumed to the same
/// samples and best).
@Suite struct SamplerAsLoggedTests {
    func log(_ sampler: SamplerSettings) throws -> String {
        let dir = NSTemporaryDirectory() + "ashb-sampler-as-logged-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/events.jsonl"
        let writer = try LogWriter(creating: path, header: LogHeader(program: "test", spec: "", seed: 1))
        writer.receive(
            RunEvent(
                seq: 0, time: 0,
                body: .runStarted(
                    RunInfo(
                        name: "n", objective: "branin", metric: "m", goal: .minimize,
                        settings: SchedulerSettings(seed: 1, sampler: sampler), ladders: [[1, 3]], workers: 1,
                        maxSeconds: nil, parameters: ["x"]))))
        writer.close()
        return path
    }

    @Test func anOldTPELogKeepsDuplicatesAllowed() throws {
        let parsed = SamplerSettings.tpe(TPESettings())
        let old = try log(.tpe(TPESettings(avoidDuplicates: false)))
        #expect(ResumeCommand.samplerAsLogged(parsed, log: old) == .tpe(TPESettings(avoidDuplicates: false)))
        // A new log, a log of other settings, a random run or no log: the spec's sampler stands.
        #expect(ResumeCommand.samplerAsLogged(parsed, log: try log(parsed)) == parsed)
        let other = try log(.tpe(TPESettings(gamma: 0.3, avoidDuplicates: false)))
        #expect(ResumeCommand.samplerAsLogged(parsed, log: other) == parsed)
        #expect(ResumeCommand.samplerAsLogged(.random, log: old) == .random)
        #expect(ResumeCommand.samplerAsLogged(parsed, log: "/nonexistent/events.jsonl") == parsed)
    }

    @Test func aSpecWithoutSamplerLoggedAsRandomStaysRandom() throws {
        // Before tpe became the default, a spec without `sampler` sampled at random: its log says random, and
        // the spec, parsed again, now says tpe.
        let parsed = SamplerSettings.tpe(TPESettings())
        let random = try log(.random)
        #expect(ResumeCommand.samplerAsLogged(parsed, given: false, log: random) == .random)
        // A spec that names tpe while its log says random is an inconsistent log: the spec's sampler stands
        // (and the restore refuses it); a spec without the key logged as tpe keeps tpe.
        #expect(ResumeCommand.samplerAsLogged(parsed, given: true, log: random) == parsed)
        #expect(ResumeCommand.samplerAsLogged(parsed, given: false, log: try log(parsed)) == parsed)
    }

    @Test func aTPELogKeepsItsSplit() throws {
        // A spec that now says progress resumes a log sampled by level (or one written before split existed,
        // which reads as level) by level.
        let parsed = SamplerSettings.tpe(TPESettings(split: .progress))
        let old = try log(.tpe(TPESettings(split: .level)))
        #expect(ResumeCommand.samplerAsLogged(parsed, log: old) == .tpe(TPESettings(split: .level)))
        let older = try log(.tpe(TPESettings(avoidDuplicates: false, split: .level)))
        #expect(
            ResumeCommand.samplerAsLogged(parsed, log: older)
                == .tpe(TPESettings(avoidDuplicates: false, split: .level)))
        let other = try log(.tpe(TPESettings(gamma: 0.3, split: .level)))
        #expect(ResumeCommand.samplerAsLogged(parsed, log: other) == parsed)
        let same = try log(parsed)
        #expect(ResumeCommand.samplerAsLogged(.tpe(TPESettings()), log: same) == parsed)
    }

    @Test func aTPELogKeepsWhatItRepeatsOnceExhausted() throws {
        // A log written before `exhausted` existed reads as `draw`; the spec, parsed again, says `rescue`.
        let parsed = SamplerSettings.tpe(TPESettings())
        let old = try log(.tpe(TPESettings(exhausted: .draw)))
        #expect(ResumeCommand.samplerAsLogged(parsed, log: old) == .tpe(TPESettings(exhausted: .draw)))
        // One written before `rescue` existed recorded `deepen`, and keeps it.
        let deepen = try log(.tpe(TPESettings(exhausted: .deepen)))
        #expect(ResumeCommand.samplerAsLogged(parsed, log: deepen) == .tpe(TPESettings(exhausted: .deepen)))
        let other = try log(.tpe(TPESettings(gamma: 0.3, exhausted: .draw)))
        #expect(ResumeCommand.samplerAsLogged(parsed, log: other) == parsed)
    }
}
