import ASHA
import Foundation
import RunLog
import Testing
import Tuner

@testable import AshbTop

/// The real binary, run headless, as a user or a script would.
@Suite(.serialized) struct HeadlessRunTests {
    /// A short digits run finds a configuration with validation error under 0.10 (a stated bound:
    /// defaults reach about 0.03 by 9 epochs; chance is 0.9).
    @Test func digitsRunFindsAGoodConfiguration() throws {
        let root = newDirectory()
        let spec = temporaryFile(
            "digits.yaml",
            """
            name: digits-short
            objective: digits-mlp
            space:
              learning_rate: {type: loguniform, low: 0.01, high: 0.5}
              hidden_units: {type: logint, low: 16, high: 64}
              momentum: {type: uniform, low: 0.5, high: 0.95}
            scheduler: {variant: promotion, min_resource: 1, max_resource: 9, eta: 3}
            workers: 2
            budget: {trials: 12}
            seed: 5
            """)
        let r = try runAshbTop(["run", spec, "--runs-dir", root])
        #expect(r.status == 0, "stderr: \(r.err)")
        #expect(r.out.contains("run started: digits-short"))
        #expect(r.out.contains("== Summary: digits-short =="))
        #expect(r.out.contains("Ended          finished"))
        let run = try onlyRun(in: root)
        let reader = try LogReader(path: run + "/events.jsonl")
        var table = RunState()
        while let e = try reader.next() { table.apply(e) }
        #expect(table.violations == 0, "\(table.firstViolation ?? "")")
        #expect(reader.warnings.isEmpty)
        #expect(table.endReason == "finished")
        #expect(table.trials.count == 12)
        let best = try #require(table.best)
        #expect(best.resource == 9)
        #expect(best.value < 0.10, "best validation error \(best.value)")
        #expect(r.out.contains("validation_error = \(formatShortForTest(best.value))"))

        // Export folds the same log into one row per trial.
        let csv = try runAshbTop(["export", run, "--format", "csv"])
        #expect(csv.status == 0)
        let lines = csv.out.split(separator: "\n")
        #expect(lines.count == 13)
        #expect(
            lines[0]
                == "trial,bracket,learning_rate,hidden_units,momentum,highest_rung,highest_resource,last_resource,last_value,status,reason"
        )
        let json = try runAshbTop(["export", run, "--format", "json"])
        #expect(json.status == 0)
        let parsed = try JSONParser.parse(json.out)
        guard case .array(let rows) = parsed else {
            Issue.record("export json is not an array")
            return
        }
        #expect(rows.count == 12)
    }

    /// `kill -9` in the middle of a run: every line but possibly a torn last one is intact, and the
    /// log holds the rung results recorded until then.
    @Test func logSurvivesKillNine() throws {
        let root = newDirectory()
        let spec = temporaryFile(
            "slow.yaml",
            """
            name: killed
            objective: {name: branin, cost: 0.004, sleep: true}
            scheduler: {variant: stopping, max_resource: 27}
            workers: 2
            budget: {trials: 100000}
            """)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try ashbTopBinary())
        p.arguments = ["run", spec, "--headless", "--runs-dir", root]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait until the log holds some decisions, then kill without warning.
        let deadline = Date().addingTimeInterval(30)
        var runDir: String?
        var decisionsSeen = 0
        while Date() < deadline {
            if runDir == nil, let runs = try? FileManager.default.contentsOfDirectory(atPath: root), let r = runs.first
            {
                runDir = root + "/" + r
            }
            if let runDir, let text = try? String(contentsOfFile: runDir + "/events.jsonl", encoding: .utf8) {
                decisionsSeen = text.components(separatedBy: "\"type\":\"decision\"").count - 1
                if decisionsSeen >= 20 { break }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)
        let dir = try #require(runDir)
        #expect(decisionsSeen >= 20)
        let reader = try LogReader(path: dir + "/events.jsonl")
        let events = try reader.readAll()
        #expect(reader.warnings.count <= 1)
        var decisions = 0
        for (i, e) in events.enumerated() {
            #expect(e.seq == i)
            if case .decision = e.body { decisions += 1 }
        }
        // Everything seen before the kill is still there.
        #expect(decisions >= decisionsSeen)
        if case .runEnded? = events.last?.body { Issue.record("a killed run cannot have ended cleanly") }
    }

    @Test func sigtermStopsGracefullyAndClosesTheLog() throws {
        let root = newDirectory()
        let spec = temporaryFile(
            "slow.yaml",
            """
            objective: {name: branin, cost: 0.004, sleep: true}
            workers: 2
            """)
        let out = Pipe()
        let p = try startHeadlessRun(spec, root: root, stdout: out, poll: 0.05) { _, log in
            log.contains("\"type\":\"decision\"")
        }
        kill(p.processIdentifier, SIGTERM)
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 143)
        #expect(printed.contains("run ended: terminated (SIGTERM)"))
        let events = try LogReader(path: try onlyRun(in: root) + "/events.jsonl").readAll()
        guard case .runEnded("terminated (SIGTERM)")? = events.last?.body else {
            Issue.record("the log does not end with the reason: \(String(describing: events.last))")
            return
        }
    }

    /// The reader of a headless run's output leaves (`| head`): the run stops cleanly with the reason and
    /// exits 141 (it died mid-run at the next line printed, with no end in its log).
    @Test func aClosedOutputStopsTheRunCleanly() throws {
        let root = newDirectory()
        // Failures print a line each (the first 20), so a line comes soon after the reader leaves.
        let spec = temporaryFile(
            "closed.yaml",
            """
            objective: {name: branin, cost: 0.004, sleep: true, fail_rate: 0.3}
            workers: 2
            """)
        let out = Pipe()
        let p = try startHeadlessRun(spec, root: root, stdout: out, poll: 0.05) { _, log in
            log.contains("\"type\":\"decision\"")
        }
        try out.fileHandleForReading.close()
        let deadline = Date().addingTimeInterval(30)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        #expect(
            p.terminationReason == .exit && p.terminationStatus == 141, "\(p.terminationReason) \(p.terminationStatus)")
        let events = try LogReader(path: try onlyRun(in: root) + "/events.jsonl").readAll()
        guard case .runEnded("output closed (SIGPIPE)")? = events.last?.body else {
            Issue.record("the log does not end with the reason: \(String(describing: events.last))")
            return
        }
    }

    /// Starts a headless run of `spec` and returns once its log holds a `job_started` event.
    func startedRun(_ spec: String, root: String, stderr: Pipe) throws -> Process {
        try startHeadlessRun(spec, root: root, stderr: stderr) { _, log in log.contains("\"type\":\"job_started\"") }
    }

    @Test func aSecondSignalExitsAtOnceWithTheLogWhole() throws {
        // Each step sleeps 30 s, so a graceful stop waits for the steps under way; the second SIGTERM
        // does not wait for them.
        let root = newDirectory()
        let spec = temporaryFile(
            "slow-steps.yaml",
            """
            objective: {name: branin, cost: 30, sleep: true}
            workers: 2
            """)
        let err = Pipe()
        let p = try startedRun(spec, root: root, stderr: err)
        kill(p.processIdentifier, SIGTERM)
        Thread.sleep(forTimeInterval: 0.2)
        kill(p.processIdentifier, SIGTERM)
        let printed = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 143)
        #expect(printed.contains("second signal; exiting now"))
        let reader = try LogReader(path: try onlyRun(in: root) + "/events.jsonl")
        let events = try reader.readAll()
        #expect(reader.warnings.isEmpty, "the log has a torn line: \(reader.warnings)")
        #expect(events.contains { if case .jobStarted = $0.body { true } else { false } })
        #expect(!events.contains { if case .runEnded = $0.body { true } else { false } })
    }

    @Test func aTimeBudgetRunKeepsOnlyTheBestsCheckpoint() throws {
        let root = newDirectory()
        let spec = temporaryFile(
            "budget.yaml",
            """
            objective: {name: branin, cost: 0.002, sleep: true}
            scheduler: {max_resource: 27}
            workers: 2
            budget: {seconds: 1.5}
            """)
        let r = try runAshbTop(["run", spec, "--headless", "--runs-dir", root])
        #expect(r.status == 0, "stderr: \(r.err)")
        let run = try onlyRun(in: root)
        let events = try LogReader(path: run + "/events.jsonl").readAll()
        var best: Int?
        for e in events { if case .newBest(let t, _, _) = e.body { best = t } }
        let store = try CheckpointStore(directory: run + "/checkpoints")
        defer { store.close(keeping: nil) }
        let kept = (0..<events.count).filter { store.contains(trial: $0) }
        #expect(kept == [try #require(best)])
        #expect(!FileManager.default.fileExists(atPath: run + "/checkpoints/trials.pack.tmp"))
    }

    @Test func badSpecExitsTwoAndCreatesNothing() throws {
        let root = newDirectory() + "/runs"
        let spec = temporaryFile("bad.yaml", "objective: zero\nworkers: 2\nwrokers: 3\n")
        let r = try runAshbTop(["run", spec, "--runs-dir", root])
        #expect(r.status == 2)
        #expect(r.err.contains("line 3: 'wrokers': unknown key"))
        #expect(!FileManager.default.fileExists(atPath: root))
        #expect(r.out.isEmpty)
    }
}

func formatShortForTest(_ v: Double) -> String { ASHA.formatShort(v) }
