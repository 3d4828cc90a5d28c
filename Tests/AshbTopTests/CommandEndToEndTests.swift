import Foundation
import RunLog
import Testing

@testable import AshbTop

/// `ashb-top run` and `resume` with the `command` objective, end to end: children that hang, ignore
/// SIGTERM or crash; kill -9 of ashb-top; GPUs through the children's environment. The deadlines below
/// guard against hanging; they are not measurements (those are in the README).
@Suite(.serialized) struct CommandEndToEndTests {
    /// A directory holding `train.sh` and a spec running it with `objective` options added.
    private func setUp(script: String, spec: String) throws -> (dir: String, spec: String) {
        let dir = newDirectory()
        try script.write(toFile: dir + "/train.sh", atomically: true, encoding: .utf8)
        try spec.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        return (dir, dir + "/spec.yaml")
    }

    private func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    private func pids(_ path: String) -> [Int32] {
        read(path).split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
    }

    /// Whether `pid` is gone (or a zombie of someone else), polling up to `seconds` (a hang guard).
    private func gone(_ pid: Int32, seconds: Double = 15) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if kill(pid, 0) != 0 && errno == ESRCH { return true }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), stat.contains(") Z ") {
                return true
            }
            usleep(10_000)
        }
        return false
    }

    /// Starts ashb-top in the background; its output goes to files in `dir`.
    private func start(_ arguments: [String], dir: String) throws -> Process {
        try startAshbTop(arguments, dir: dir)
    }

    /// Waits until `condition` holds, up to `seconds` (a hang guard); returns whether it did.
    private func waitUntil(seconds: Double = 60, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return false
    }

    private func events(_ root: String) throws -> [RunEvent] {
        try LogReader(path: try onlyRun(in: root) + "/events.jsonl", lenient: true).readAll()
    }

    @Test func childThatNeverWritesIsFailedByTrialSeconds() throws {
        let (dir, spec) = try setUp(
            script: """
                echo $$ >> "$(dirname "$0")/pids.txt"
                sleep 1000
                """,
            spec: """
                objective: {name: command, run: "/bin/sh train.sh", max_resource: 9, grace_seconds: 1}
                space: {x: {type: uniform, low: 0, high: 1}}
                scheduler: {variant: promotion, max_resource: 9}
                workers: 3
                budget: {trials: 3, trial_seconds: 1, seconds: 60}
                """)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try runAshbTop(["run", spec, "--headless", "--runs-dir", dir + "/runs"])
        #expect(result.status == 1, "every trial failed: \(result.err)")
        #expect(result.err.contains("all 3 trials failed"), "\(result.err)")
        let reasons = try events(dir + "/runs").compactMap { e -> String? in
            if case .trialFailed(_, let r) = e.body { return r }
            return nil
        }
        #expect(reasons.count == 3)
        #expect(reasons.allSatisfy { $0 == "exceeded its time limit of 1 s" }, "\(reasons)")
        for pid in pids(dir + "/pids.txt") { #expect(gone(pid), "child \(pid) is gone") }
    }

    /// Children that ignore SIGTERM and never write: SIGTERM to ashb-top still ends the run (the
    /// children get SIGKILL after grace_seconds), and the time budget does too.
    @Test(arguments: ["signal", "budget"])
    func runEndsWhateverItsChildrenDo(by: String) throws {
        let (dir, spec) = try setUp(
            script: """
                trap '' TERM
                echo $$ >> "$(dirname "$0")/pids.txt"
                while true; do sleep 1; done
                """,
            spec: """
                objective: {name: command, run: "/bin/sh train.sh", max_resource: 9, grace_seconds: 1, checkpoint: true}
                space: {x: {type: uniform, low: 0, high: 1}}
                scheduler: {variant: promotion, max_resource: 9}
                workers: 2
                budget: {trials: 4, seconds: \(by == "budget" ? 2 : 600)}
                """)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = try start(["run", spec, "--headless", "--runs-dir", dir + "/runs"], dir: dir)
        #expect(waitUntil { pids(dir + "/pids.txt").count == 2 }, "both workers started a child")
        if by == "signal" { kill(p.processIdentifier, SIGTERM) }
        let ended = waitUntil { !p.isRunning }
        if !ended { kill(p.processIdentifier, SIGKILL) }
        #expect(ended, "ashb-top exited")
        p.waitUntilExit()
        #expect(p.terminationStatus == (by == "signal" ? 143 : 0), "\(read(dir + "/err.txt"))")
        let last = try events(dir + "/runs").last
        let expected = by == "signal" ? "terminated (SIGTERM)" : "time budget"
        guard case .runEnded(let reason)? = last?.body, reason.text == expected else {
            Issue.record("the log does not end with \(expected): \(String(describing: last))")
            return
        }
        for pid in pids(dir + "/pids.txt") { #expect(gone(pid), "child \(pid) is gone") }
    }

    @Test func alwaysCrashingProgramStopsTheRunByMaxFailures() throws {
        let (dir, spec) = try setUp(
            script: """
                echo "cannot import torch" >&2
                exit 3
                """,
            spec: """
                objective: {name: command, run: "/bin/sh train.sh", max_resource: 9, checkpoint: true}
                space: {x: {type: uniform, low: 0, high: 1}}
                scheduler: {variant: promotion, max_resource: 9}
                workers: 2
                budget: {trials: 200, max_failures: 5}
                """)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try runAshbTop(["run", spec, "--headless", "--runs-dir", dir + "/runs"])
        #expect(result.status == 1)
        #expect(result.err.contains("5 trials failed in a row (budget.max_failures)"), "\(result.err)")
        #expect(result.err.contains("exited with status 3"), "\(result.err)")
        #expect(result.err.contains("cannot import torch"), "\(result.err)")
        let evs = try events(dir + "/runs")
        let failed = evs.filter { if case .trialFailed = $0.body { true } else { false } }.count
        #expect(failed >= 5 && failed < 200, "the run stopped early: \(failed) failures")
        guard case .runEnded(let reason)? = evs.last?.body else {
            Issue.record("no run_ended")
            return
        }
        #expect(reason.text.contains("max_failures"))
        // The trial's standard error is kept in its directory.
        let run = try onlyRun(in: dir + "/runs")
        #expect(read(run + "/trials/0/stderr.log").contains("cannot import torch"))
    }

    @Test func gpuGroupsReachTheChildrenEnvironment() throws {
        let (dir, spec) = try setUp(
            script: """
                echo "$ASHB_WORKER=$CUDA_VISIBLE_DEVICES" >> "$(dirname "$0")/gpus.txt"
                r=0
                while [ $r -lt $ASHB_JOB_RESOURCE ]; do r=$((r + 1)); echo "{\\"resource\\": $r, \\"value\\": 1}"; done
                """,
            spec: """
                objective: {name: command, run: "/bin/sh train.sh", max_resource: 9, checkpoint: true}
                space: {x: {type: uniform, low: 0, high: 1}}
                scheduler: {variant: promotion, max_resource: 9}
                gpus: [0, 1, 2, 3]
                gpus_per_worker: 2
                budget: {trials: 8}
                """)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try runAshbTop(["run", spec, "--headless", "--runs-dir", dir + "/runs"])
        #expect(result.status == 0, "\(result.err)")
        let seen = Set(read(dir + "/gpus.txt").split(separator: "\n").map(String.init))
        #expect(seen == ["0=0,1", "1=2,3"], "two workers (one per group), each with its group: \(seen)")
        // The dashboard's Workers pane reads the slots' devices from the run's description.
        guard case .runStarted(let info)? = try events(dir + "/runs").first?.body else {
            Issue.record("no run_started")
            return
        }
        #expect(info.workerDevices == [["0", "1"], ["2", "3"]])
    }

    /// A finished run keeps the best trial's checkpoint directory (`best`), every one that was not
    /// removed as its trial ended (`all`: all of them), or none; the summary prints the size.
    @Test(arguments: ["best", "all", "none"])
    func keepCheckpoints(keep: String) throws {
        let (dir, spec) = try setUp(
            script: """
                d="$ASHB_CHECKPOINT_DIR"
                r=0
                if [ -f "$d/state" ]; then r=$(cat "$d/state"); fi
                while [ $r -lt $ASHB_JOB_RESOURCE ]; do
                    r=$((r + 1))
                    echo $r > "$d/state"
                    echo "{\\"resource\\": $r, \\"value\\": $(( (ASHB_TRIAL * 7) % 11 )).$r}"
                done
                """,
            spec: """
                objective: {name: command, run: "/bin/sh train.sh", max_resource: 9, checkpoint: true, keep_checkpoints: \(keep)}
                space: {x: {type: uniform, low: 0, high: 1}}
                scheduler: {variant: promotion, max_resource: 9}
                workers: 2
                budget: {trials: 12}
                """)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try runAshbTop(["run", spec, "--headless", "--runs-dir", dir + "/runs"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("Disk "), "\(result.out)")
        let run = try onlyRun(in: dir + "/runs")
        let kept = try FileManager.default.contentsOfDirectory(atPath: run + "/trials").filter {
            FileManager.default.fileExists(atPath: run + "/trials/\($0)/checkpoint")
        }
        var best: Int?
        for e in try events(dir + "/runs") { if case .newBest(let t, _, _) = e.body { best = t } }
        switch keep {
        case "best": #expect(kept == [String(try #require(best))], "\(kept)")
        case "all": #expect(kept.count == 12, "\(kept)")
        default: #expect(kept.isEmpty, "\(kept)")
        }
    }

    @Test func gpusAutoWithoutNvidiaSmiIsAnErrorNamingTheKey() throws {
        let (dir, spec) = try setUp(
            script: "exit 0\n",
            spec: """
                objective: {name: command, run: "/bin/sh train.sh", checkpoint: true}
                space: {x: {type: uniform, low: 0, high: 1}}
                gpus: auto
                """)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try ashbTopBinary())
        p.arguments = ["run", spec, "--headless", "--runs-dir", dir + "/runs"]
        p.environment = ["PATH": dir]  // no nvidia-smi there
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 2)
        #expect(text.contains("line 3: 'gpus': auto: nvidia-smi was not found"), "\(text)")
    }

    /// Whether the run's log shows a promoted job (from a resource above 0) that has reported a step
    /// short of its target and has not ended.
    private func midPromotedJob(_ run: String?) -> Bool {
        guard let run else { return false }
        var open: [Int: (from: Int, to: Int)] = [:]
        for line in read(run + "/events.jsonl").split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let type = object["type"] as? String, let t = object["trial"] as? Int
            else { continue }
            switch type {
            case "job_started": open[t] = (object["from"] as? Int ?? 0, object["to"] as? Int ?? 0)
            case "job_ended": open[t] = nil
            case "metric":
                if let job = open[t], let r = object["resource"] as? Int, job.from > 0, r > job.from, r < job.to {
                    return true
                }
            default: break
            }
        }
        return false
    }

    /// kill -9 of ashb-top in the middle of a checkpointing run: no child outlives it, and `resume`
    /// finishes the run with trials continuing from their checkpoint directories.
    @Test(.timeLimit(.minutes(3))) func killNineThenResumeContinuesFromCheckpoints() throws {
        let (dir, spec) = try setUp(
            script: """
                # Neither a hang-up (the kernel's, for an orphaned stopped group) nor a broken pipe ends
                # this program: only its supervisor can, when ashb-top dies.
                trap '' HUP PIPE
                d="$ASHB_CHECKPOINT_DIR"
                r=0
                if [ -f "$d/state" ]; then r=$(cat "$d/state"); fi
                echo "$ASHB_TRIAL $r $$" >> "$(dirname "$0")/starts.txt"
                # Saved but not recorded (ashb-top died in between): report that step again.
                if [ $r -gt $ASHB_RESOURCE ]; then echo "{\\"resource\\": $r, \\"value\\": $(( (ASHB_TRIAL * 7) % 11 )).$r}"; fi
                while [ $r -lt $ASHB_JOB_RESOURCE ]; do
                    sleep 0.2
                    r=$((r + 1))
                    echo $r > "$d/state.tmp" && mv "$d/state.tmp" "$d/state"
                    echo "{\\"resource\\": $r, \\"value\\": $(( (ASHB_TRIAL * 7) % 11 )).$r}"
                done
                sleep 30  # lingers until it is ended
                """,
            spec: """
                objective: {name: command, run: "/bin/sh train.sh", max_resource: 9, checkpoint: true}
                space: {x: {type: uniform, low: 0, high: 1}}
                scheduler: {variant: promotion, max_resource: 9}
                workers: 3
                budget: {trials: 40}
                """)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let starts = { self.read(dir + "/starts.txt").split(separator: "\n").map { $0.split(separator: " ") } }
        let p = try start(["run", spec, "--headless", "--runs-dir", dir + "/runs"], dir: dir)
        // Kill in the middle of a promoted job that has reported a step: that trial must continue after
        // the resume from its checkpoint, not from zero.
        let promoted = waitUntil {
            let runs = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/runs")) ?? []
            return midPromotedJob(runs.first.map { dir + "/runs/" + $0 })
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(promoted)
        let before = starts()
        for s in before where s.count == 3 {
            if let pid = Int32(s[2]) { #expect(gone(pid), "child \(pid) died with ashb-top") }
        }
        // The resource each trial had reported when ashb-top died.
        var reported: [Int: Int] = [:]
        for e in try events(dir + "/runs") {
            if case .metric(let t, let r, _) = e.body { reported[t] = max(reported[t] ?? 0, r) }
        }
        let run = try onlyRun(in: dir + "/runs")
        let result = try runAshbTop(["resume", run, "--headless"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("run ended: finished"), "\(result.out)")
        // A trial that restarts after the resume begins at (or after) what it had reported.
        var firstAfter: [Int: Int] = [:]
        for s in starts().dropFirst(before.count) where s.count == 3 {
            if let t = Int(s[0]), let r = Int(s[1]), firstAfter[t] == nil { firstAfter[t] = r }
        }
        let continued = firstAfter.filter { (reported[$0.key] ?? 0) > 0 }
        #expect(!continued.isEmpty, "some trials that had trained continued after the resume")
        for (t, r) in continued {
            #expect(r >= reported[t]!, "trial \(t) restarted at \(r), had reported \(reported[t]!)")
        }
        let messages = try events(dir + "/runs").compactMap { e -> String? in
            if case .message(_, let text) = e.body { return text }
            return nil
        }
        #expect(!messages.contains { $0.contains("from zero") }, "no trial trained again from zero: \(messages)")
        let failures = try events(dir + "/runs").compactMap { e -> String? in
            if case .trialFailed(_, let reason) = e.body { return reason }
            return nil
        }
        #expect(failures.isEmpty, "no trial failed: \(failures); starts: \(starts())")
    }
}

/// The last lines of a trial's stderr.log, for the dashboard's detail view.
@Suite struct StderrTailTests {
    @Test func lastLinesOfTheTrialsLog() throws {
        let run = newDirectory()
        defer { try? FileManager.default.removeItem(atPath: run) }
        #expect(RunDirectory.stderrTail(runPath: run, trial: 3).isEmpty, "no file, no lines")
        try FileManager.default.createDirectory(atPath: run + "/trials/3", withIntermediateDirectories: true)
        let long = (1...5_000).map { "line \($0)" }.joined(separator: "\n") + "\n"
        try long.write(toFile: run + "/trials/3/stderr.log", atomically: true, encoding: .utf8)
        #expect(RunDirectory.stderrTail(runPath: run, trial: 3, lines: 3) == ["line 4998", "line 4999", "line 5000"])
    }
}
