import Foundation
import Objectives
import RunLog
import Testing

@testable import AshbTop

/// Whether a Slurm cluster answers here, checked once (`scripts/slurm-local start` brings one up).
enum SlurmCluster {
    static let status = SlurmControl.clusterUp()
    static var skipReason: Comment {
        Comment(rawValue: "no Slurm cluster is up (\(status.why)); run scripts/slurm-local start")
    }
    /// Job states in which a job still holds (or waits for) the cluster.
    static let live: Set<String> = ["PENDING", "RUNNING", "STOPPED", "SUSPENDED", "CONFIGURING", "COMPLETING"]

    /// The state `squeue` shows for `job` (nil once Slurm forgot it).
    static func state(_ job: String) -> String? { SlurmControl.jobs([job]).first?.state }

    /// Polls the state of `job` until `accept` holds or `seconds` pass (a hang guard); the last state seen.
    static func state(of job: String, seconds: Double = 30, until accept: (String?) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let s = state(job)
            if accept(s) || Date() > deadline { return s }
            usleep(100_000)
        }
    }
}

/// `ashb-top` itself against the one-node cluster of `scripts/slurm-local`: the command demo
/// (`demos/command/train.py`, which writes its Slurm job and node to the trial's stderr.log) through
/// `executor: slurm`. The deadlines are hang guards, not measurements.
@Suite(
    "Slurm end to end: ashb-top on a real cluster (needs Slurm: scripts/slurm-local start)", .serialized,
    .enabled(if: SlurmCluster.status.up, SlurmCluster.skipReason))
struct SlurmEndToEndTests {
    /// A directory with a copy of the command demo and a spec running it.
    struct Setup {
        let dir: String
        let spec: String

        init(
            name: String, slurm: String?, sleep: Double, checkpoint: Bool, workers: Int, trials: Int,
            minResource: Int = 1
        ) throws {
            dir = newDirectory()
            try FileManager.default.copyItem(atPath: repositoryRoot + "/demos/command", toPath: dir + "/command")
            var text = """
                name: \(name)
                objective: {name: command, run: "python3 command/train.py --sleep \(sleep)", metric: validation_logloss,
                  goal: minimize, max_resource: 9, checkpoint: \(checkpoint), grace_seconds: 2}
                space:
                  lr: {type: loguniform, low: 0.001, high: 1}
                  batch_size: {type: choice, values: [8, 16, 32, 64]}
                scheduler: {variant: promotion, min_resource: \(minResource), max_resource: 9, eta: 3}
                workers: \(workers)
                budget: {trials: \(trials), seconds: 300}
                seed: 7

                """
            if let slurm { text += "executor: {type: slurm\(slurm)}\n" }
            spec = dir + "/spec.yaml"
            try text.write(toFile: spec, atomically: true, encoding: .utf8)
        }

        func cleanUp() { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// The run's events so far (a line being written is skipped).
    static func events(_ run: String) -> [RunEvent] {
        (try? LogReader(path: run + "/events.jsonl", lenient: true).readAll()) ?? []
    }

    /// Every `job_placed` of the events, in order.
    static func placements(_ events: [RunEvent]) -> [(trial: Int, placement: JobPlacement)] {
        events.compactMap { e in
            if case .jobPlaced(let t, _, let p) = e.body { return (t, p) }
            return nil
        }
    }

    /// The run directory under `root`, once there is one.
    static func runDirectory(_ root: String, seconds: Double = 60) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            // Not `onlyRun`: its #require records a failure on a poll that finds the runs folder still empty.
            if let runs = try? FileManager.default.contentsOfDirectory(atPath: root), runs.count == 1,
                FileManager.default.fileExists(atPath: root + "/" + runs[0] + "/events.jsonl")
            {
                return root + "/" + runs[0]
            }
            usleep(50_000)
        }
        return nil
    }

    /// Waits until `condition` holds of the run's events, up to `seconds`; the events then, or nil.
    static func waitForEvents(_ run: String, seconds: Double = 90, _ condition: ([RunEvent]) -> Bool) -> [RunEvent]? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let e = events(run)
            if condition(e) { return e }
            usleep(50_000)
        }
        return nil
    }

    /// Starts ashb-top in the background, its output in files under `dir`.
    static func start(_ arguments: [String], dir: String) throws -> Process {
        try startAshbTop(arguments, dir: dir, cwd: dir)
    }

    /// Waits for `p` to exit (SIGKILL after `seconds`, a hang guard); whether it exited by itself.
    static func finish(_ p: Process, seconds: Double = 180) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning, Date() < deadline { usleep(50_000) }
        let exited = !p.isRunning
        if !exited { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        return exited
    }

    /// The jobs of `run` (named `ashb-<run directory, letters and digits>-…`) in `states`, with their state.
    static func jobs(of run: String, in states: Set<String> = SlurmCluster.live) -> [String] {
        let prefix =
            SlurmLauncher(
                settings: try! SlurmSettings(), environment: [:], tag: (run as NSString).lastPathComponent
            ).namePrefix
        return SlurmControl.jobsOfUser().filter { $0.name.hasPrefix(prefix) && states.contains($0.state) }
            .map { "\($0.id) \($0.state)" }
    }

    /// Checks, once ashb-top has exited, that nothing of the run is left: no job of its runs, waits or is
    /// stopped; one that Slurm is still completing (its processes ended, the node cleaning up) must be gone
    /// within 15 s.
    static func expectNothingLeft(_ run: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let holding = jobs(of: run, in: SlurmCluster.live.subtracting(["COMPLETING"]))
        #expect(holding.isEmpty, "jobs of the run left: \(holding)", sourceLocation: sourceLocation)
        let deadline = Date().addingTimeInterval(15)
        var completing = jobs(of: run)
        while !completing.isEmpty, Date() < deadline {
            usleep(200_000)
            completing = jobs(of: run)
        }
        #expect(completing.isEmpty, "jobs of the run still completing: \(completing)", sourceLocation: sourceLocation)
    }

    /// The demo's start lines in a trial's stderr.log: (epoch it continued after, Slurm job id or nil).
    static func processLines(_ run: String, trial: Int) -> [(after: Int, job: String?)] {
        let text = (try? String(contentsOfFile: "\(run)/trials/\(trial)/stderr.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard
                let m = firstMatch(
                    #"continuing after epoch (\d+), training to \d+(?: \(Slurm job (\d+) on )?"#, in: String(line)),
                let after = Int(m[0])
            else { return nil }
            return (after, m[1].isEmpty ? nil : m[1])
        }
    }

    /// The decisions as `trial rung action value`, in order.
    static func decisions(_ events: [RunEvent]) -> [String] {
        events.compactMap { e in
            if case .decision(let d) = e.body { return "\(d.trial) \(d.rung) \(d.action.rawValue) \(d.value)" }
            return nil
        }
    }

    @Test(
        "(needs Slurm) A promotion run of the command demo through Slurm decides as the same run does locally, and every process of every trial ran as a recorded Slurm job"
    )
    func promotionRunAsLocally() throws {
        // One worker: the order of reports, hence every decision, is the same wherever the trials run.
        let local = try Setup(name: "e2e-local", slurm: nil, sleep: 0, checkpoint: true, workers: 1, trials: 8)
        let slurm = try Setup(name: "e2e-slurm", slurm: "", sleep: 0, checkpoint: true, workers: 1, trials: 8)
        defer {
            local.cleanUp()
            slurm.cleanUp()
        }
        let a = try runAshbTop(["run", local.spec, "--headless", "--runs-dir", local.dir + "/runs"], cwd: local.dir)
        let b = try runAshbTop(["run", slurm.spec, "--headless", "--runs-dir", slurm.dir + "/runs"], cwd: slurm.dir)
        #expect(a.status == 0, "\(a.err)")
        #expect(b.status == 0, "\(b.err)")
        let localEvents = Self.events(try onlyRun(in: local.dir + "/runs"))
        let run = try onlyRun(in: slurm.dir + "/runs")
        let events = Self.events(run)
        // The same rules: the same decisions, in the same order, with the same values; the same end.
        let expected = Self.decisions(localEvents)
        #expect(expected.count >= 10, "\(expected)")
        #expect(Self.decisions(events) == expected)
        #expect(RunState(events: events).summary.best == RunState(events: localEvents).summary.best)
        #expect(RunState(events: events).endReason == RunState(events: localEvents).endReason)
        #expect(RunState(events: events).count(.failed) == 0)
        // Every process of every trial: the demo wrote its SLURM_JOB_ID, and the log placed that job.
        let placed = Self.placements(events)
        var processes = 0
        for t in 0..<8 {
            let jobs = placed.filter { $0.trial == t }.map(\.placement.job)
            let lines = Self.processLines(run, trial: t)
            let started = events.filter { if case .jobStarted(t, _, _, _, _) = $0.body { true } else { false } }.count
            #expect(!lines.isEmpty && lines.count == jobs.count, "trial \(t): \(lines) vs \(jobs)")
            #expect(jobs.count >= started, "trial \(t): \(jobs.count) placements, \(started) jobs")
            #expect(lines.allSatisfy { $0.job.map(jobs.contains) == true }, "trial \(t): \(lines) vs \(jobs)")
            processes += lines.count
        }
        #expect(Set(placed.map(\.placement.job)).count == processes, "each process a job of its own")
        #expect(placed.allSatisfy { $0.placement.executor == "slurm" && $0.placement.step == nil })
        Self.expectNothingLeft(run)
    }

    @Test(
        "(needs Slurm) Pause and kill over the control socket reach the trial's job: squeue shows it STOPPED, then it is gone; the run finishes"
    )
    func pauseAndKillReachTheJob() throws {
        // Without checkpoints a trial keeps its job; a paused one is stopped through Slurm. Jobs of 9 steps
        // of 0.5 s: the first job still runs when the pause reaches it, on a loaded machine too (with
        // one step to the first rung it could end before).
        let setup = try Setup(
            name: "e2e-pause", slurm: "", sleep: 0.5, checkpoint: false, workers: 2, trials: 4, minResource: 9)
        defer { setup.cleanUp() }
        let p = try Self.start(["run", setup.spec, "--headless", "--runs-dir", setup.dir + "/runs"], dir: setup.dir)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let run = try #require(Self.runDirectory(setup.dir + "/runs"))
        let placedEvents = try #require(Self.waitForEvents(run) { !Self.placements($0).isEmpty }, "a job started")
        let (trial, placement) = Self.placements(placedEvents)[0]
        let job = placement.job
        let client = try ControlClient(socketPath: ControlSocket.path(of: run))
        client.send(.pauseTrial(trial))
        #expect(SlurmCluster.state(of: job) { $0 == "STOPPED" } == "STOPPED", "job \(job) of paused trial \(trial)")
        #expect(
            Self.waitForEvents(run) { $0.contains { $0.body == .trialPaused(trial: trial, by: .user) } } != nil)
        // Still stopped a moment later: nothing continues a paused trial's job.
        usleep(1_000_000)
        #expect(SlurmCluster.state(job) == "STOPPED")
        client.send(.killTrial(trial))
        let after = SlurmCluster.state(of: job) { $0.map { !SlurmCluster.live.contains($0) } ?? true }
        #expect(after.map { !SlurmCluster.live.contains($0) } ?? true, "job \(job): \(after ?? "gone")")
        #expect(Self.finish(p), "the run ended")
        #expect(p.terminationStatus == 0)
        let events = Self.events(run)
        let state = RunState(events: events)
        #expect(state.trial(trial)?.status == .killed)
        #expect(state.endReason != nil && state.count(.failed) == 0, "\(String(describing: state.endReason))")
        #expect(state.trials.count == 4)
        Self.expectNothingLeft(run)
    }

    @Test(
        "(needs Slurm) kill -9 of ashb-top during a Slurm run, then resume: the first process's jobs are cancelled, the run finishes, its trials continue from their checkpoints"
    )
    func killNineThenResume() throws {
        // Jobs of at least 3 epochs of 1 s: the first process's jobs still run when resume starts.
        let setup = try Setup(
            name: "e2e-kill", slurm: "", sleep: 1.0, checkpoint: true, workers: 2, trials: 4, minResource: 3)
        defer { setup.cleanUp() }
        let p = try Self.start(["run", setup.spec, "--headless", "--runs-dir", setup.dir + "/runs"], dir: setup.dir)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let run = try #require(Self.runDirectory(setup.dir + "/runs"))
        // Both workers' jobs placed, and a step recorded (a checkpoint exists).
        let before = try #require(
            Self.waitForEvents(run) { e in
                Self.placements(e).count >= 2 && e.contains { if case .metric = $0.body { true } else { false } }
            }, "two jobs placed and a step recorded")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let firstJobs = Self.placements(Self.events(run)).map(\.placement.job)
        let leftover = firstJobs.filter { SlurmCluster.state($0).map(SlurmCluster.live.contains) == true }
        try #require(!leftover.isEmpty, "the first process's jobs run on after kill -9: \(firstJobs)")
        let recordedBefore = RunState(events: Self.events(run))
        let resumed = try runAshbTop(["resume", run, "--headless"], cwd: setup.dir)
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(resumed.err.contains("cancelled"), "\(resumed.err)")
        // Cancelled by resume, not finished on their own: squeue still knows them (MinJobAge) as CANCELLED.
        for job in leftover {
            let state = SlurmControl.jobs([job]).first?.state
            #expect(state == nil || state == "CANCELLED", "job \(job) of the first process: \(state ?? "gone")")
            #expect(resumed.err.contains(job), "\(resumed.err)")
        }
        let events = Self.events(run)
        let cut = try #require(events.firstIndex { if case .runContinued = $0.body { true } else { false } })
        let state = RunState(events: events)
        #expect(state.isEnded && state.count(.failed) == 0, "\(state.counts)")
        // Trials that had trained continue after their checkpoint: the resumed process's start line says so,
        // and it ran as a job the resumed run placed.
        let laterJobs = Set(Self.placements(Array(events[cut...])).map(\.placement.job))
        var continued = 0
        for t in recordedBefore.trials where t.lastResource > 0 && !t.status.isFinal {
            let later = Self.processLines(run, trial: t.id).filter { $0.job.map(laterJobs.contains) == true }
            guard let first = later.first else { continue }
            #expect(
                first.after >= t.lastResource,
                "trial \(t.id) recorded \(t.lastResource), continued after \(first.after)")
            continued += 1
        }
        #expect(continued >= 1, "a trial that had trained continued after the resume")
        #expect(before.count > 0)
        Self.expectNothingLeft(run)
    }

    @Test(
        "(needs Slurm) A job scancelled by hand is launched again while max_retries allows, then its trial fails with the reason"
    )
    func scancelByHand() throws {
        // Without checkpoints and with 9 steps to the first rung, the relaunched job has most of its 9 s
        // left when its note shows: the second scancel cannot come after it finished (with checkpoints at
        // r=3 it could resume with one step left, and on a loaded machine it ended before the cancel).
        let setup = try Setup(
            name: "e2e-scancel", slurm: ", max_retries: 1", sleep: 1.0, checkpoint: false, workers: 1, trials: 2,
            minResource: 9)
        defer { setup.cleanUp() }
        let p = try Self.start(["run", setup.spec, "--headless", "--runs-dir", setup.dir + "/runs"], dir: setup.dir)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let run = try #require(Self.runDirectory(setup.dir + "/runs"))
        func jobs(of trial: Int, _ events: [RunEvent]) -> [String] {
            Self.placements(events).filter { $0.trial == trial }.map(\.placement.job)
        }
        let first = try #require(Self.waitForEvents(run) { !jobs(of: 0, $0).isEmpty }.map { jobs(of: 0, $0)[0] })
        #expect(SlurmControl.cancel(first))
        func retryNotes(_ events: [RunEvent]) -> [String] {
            events.compactMap { e -> String? in
                if case .message(0, let text) = e.body, text.contains("retry 1 of 1") { return text }
                return nil
            }
        }
        // The relaunched job is placed (as it starts), then the note about the retry follows with the step.
        let retried = try #require(
            Self.waitForEvents(run) { jobs(of: 0, $0).count >= 2 && !retryNotes($0).isEmpty }, "trial 0 launched again")
        let note = retryNotes(retried)
        #expect(note.count == 1 && note[0].contains("cancelled outside ashb-top"), "\(note)")
        #expect(note.first?.contains("Slurm job \(first)") == true, "\(note)")
        let second = jobs(of: 0, retried)[1]
        #expect(second != first)
        #expect(SlurmControl.cancel(second))
        #expect(Self.finish(p), "the run ended")
        let events = Self.events(run)
        let reason = events.compactMap { e -> String? in
            if case .trialFailed(0, let r) = e.body { return r }
            return nil
        }
        #expect(reason.count == 1, "\(reason)")
        #expect(reason.first?.contains("cancelled outside ashb-top") == true, "\(reason)")
        #expect(reason.first?.contains("no retries left of 1") == true, "\(reason)")
        #expect(jobs(of: 0, events).count == 2, "no third launch")
        let state = RunState(events: events)
        // The run goes on without it: the other trial trains its rung.
        #expect(state.isEnded && state.trial(1)?.status != .failed && (state.trial(1)?.lastResource ?? 0) >= 9)
        Self.expectNothingLeft(run)
    }

    @Test(
        "(needs Slurm) Inside an allocation (salloc) every process is a step of it, and the workers' steps run side by side"
    )
    func stepsOfAnAllocation() throws {
        let setup = try Setup(
            name: "e2e-salloc", slurm: "", sleep: 0.5, checkpoint: true, workers: 2, trials: 2, minResource: 3)
        defer { setup.cleanUp() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/salloc")
        p.arguments = [
            "--ntasks=2", "--job-name=ashb-e2e-salloc", try ashbTopBinary(), "run", setup.spec, "--headless",
            "--runs-dir", setup.dir + "/runs",
        ]
        p.currentDirectoryURL = URL(fileURLWithPath: setup.dir)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        #expect(Self.finish(p), "salloc and the run ended")
        #expect(p.terminationStatus == 0)
        let run = try onlyRun(in: setup.dir + "/runs")
        let events = Self.events(run)
        let placed = Self.placements(events)
        let allocation = try #require(placed.first?.placement.job)
        #expect(placed.count >= 2 && placed.allSatisfy { $0.placement.job == allocation && $0.placement.step != nil })
        #expect(Set(placed.compactMap(\.placement.step)).count == placed.count, "one step per process")
        // Side by side: the second trial's step started before the first trial's job ended.
        let secondPlaced = try #require(
            events.firstIndex { if case .jobPlaced(1, _, _) = $0.body { true } else { false } })
        let firstEnded = try #require(events.firstIndex { if case .jobEnded(0, _) = $0.body { true } else { false } })
        #expect(secondPlaced < firstEnded, "trial 1's step waited for trial 0's job")
        for t in 0..<2 {
            let lines = Self.processLines(run, trial: t)
            #expect(!lines.isEmpty && lines.allSatisfy { $0.job == allocation }, "trial \(t): \(lines)")
        }
    }
}
