import ASHA
import Foundation
import Testing

@testable import Objectives

/// Whether a Slurm cluster answers here (`scripts/slurm-local start` brings one up), checked once.
enum SlurmTestCluster {
    static let status = SlurmControl.clusterUp()
    static var skipReason: Comment {
        Comment(rawValue: "no Slurm cluster is up (\(status.why)); run scripts/slurm-local start")
    }

    /// The state `squeue` shows for `job` (nil when Slurm no longer lists it), polled until `accept` holds
    /// or `seconds` pass (a bound against hanging: squeue updates as slurmctld learns).
    static func state(of job: String, seconds: Double = 20, until accept: (String?) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let state = SlurmControl.jobs([job]).first?.state
            if accept(state) || Date() > deadline { return state }
            usleep(100_000)
        }
    }

    static let live: Set<String> = ["PENDING", "RUNNING", "STOPPED", "SUSPENDED", "CONFIGURING"]
}

/// Collects what a trial tells its placement observer (as the tuner would record it).
final class PlacementLog: @unchecked Sendable {
    private let lock = NSLock()
    private var placements: [ProcessPlacement] = []

    /// Observes `trial`'s placements.
    init(_ trial: any ObjectiveTrial) {
        trial.observePlacements { [self] p in lock.withLock { placements.append(p) } }
    }

    var all: [ProcessPlacement] { lock.withLock { placements } }
}

@Suite(
    "Slurm executor against a real cluster (needs Slurm: scripts/slurm-local start)", .serialized,
    .enabled(if: SlurmTestCluster.status.up, SlurmTestCluster.skipReason))
struct SlurmClusterTests {
    private func objective(_ dir: ScriptDirectory, settings: SlurmSettings, stopBetweenSteps: Bool = true)
        throws -> CommandObjective
    {
        let tag = "test\(UUID().uuidString.prefix(8))"
        return try CommandObjective(
            run: "/bin/sh train.sh", maxResource: 9, graceSeconds: 2, stopBetweenSteps: stopBetweenSteps,
            baseDirectory: dir.path,
            launcher: SlurmLauncher(settings: settings, environment: [:], tag: tag))
    }

    /// Reports resources 1...9, one every 0.2 s, after recording its Slurm job id.
    static let steps = """
        echo "$SLURM_JOB_ID" > "$(dirname "$0")/job.txt"
        i=1
        while [ $i -le 9 ]; do echo "{\\"resource\\": $i, \\"value\\": 0.$i}"; i=$((i+1)); sleep 0.2; done
        """

    @Test(
        "(needs Slurm) A trial's program runs as a job: SLURM_JOB_ID in its environment, its placement names job and node; stopped between steps; cancel leaves nothing"
    )
    func runsAsJob() throws {
        let dir = try ScriptDirectory(Self.steps)
        defer { dir.cleanUp() }
        let trial = try objective(dir, settings: try SlurmSettings()).makeTrial(config: config([:]), seed: 1, trial: 0)
        let placements = PlacementLog(trial)
        #expect(try trial.step().resource == 1)
        let placed = try #require(placements.all.first)
        #expect(placements.all.count == 1)
        let job = placed.job
        #expect(placed.executor == "slurm" && placed.step == nil, "\(placed)")
        let nodes = SlurmControl.run(["sinfo", "--noheader", "--Node", "--format=%N"]).stdout.split(separator: "\n")
        #expect(nodes.contains { $0.trimmingCharacters(in: .whitespaces) == placed.node }, "\(placed.node) \(nodes)")
        #expect(placed.queueSeconds >= 0 && placed.queueSeconds < 60)
        #expect(dir.read("job.txt").trimmingCharacters(in: .whitespacesAndNewlines) == job)
        // Between steps the job is stopped through Slurm.
        #expect(SlurmTestCluster.state(of: job) { $0 == "STOPPED" } == "STOPPED")
        #expect(try trial.step().resource == 2)
        trial.cancel()
        CommandTerminations.waitForAll()
        let after = SlurmTestCluster.state(of: job) { $0.map { !SlurmTestCluster.live.contains($0) } ?? true }
        #expect(after.map { !SlurmTestCluster.live.contains($0) } ?? true, "\(after ?? "gone")")
    }

    @Test(
        "(needs Slurm) A job cancelled by hand is launched again, the reason noted; with no retry left the trial fails with it"
    )
    func cancelledByHand() throws {
        let dir = try ScriptDirectory(Self.steps)
        defer { dir.cleanUp() }
        let trial = try objective(dir, settings: try SlurmSettings(maxRetries: 1))
            .makeTrial(config: config([:]), seed: 1, trial: 0)
        let placements = PlacementLog(trial)
        #expect(try trial.step().resource == 1)
        let first = try #require(placements.all.first?.job)
        #expect(SlurmControl.cancel(first))
        // A line already in the pipe may still arrive; then the program is launched again, and the lines
        // it repeats (up to the resource reported) are skipped: resources go on increasing by one.
        var notes: [String] = []
        var last = 1
        while !notes.contains(where: { $0.contains("retry 1 of 1") }), last < 9 {
            let step = try trial.step()
            #expect(step.resource == last + 1)
            last = step.resource
            notes += trial.takeNotes()
        }
        #expect(
            notes.contains { $0.contains("cancelled outside ashb-top") && $0.contains("retry 1 of 1") }, "\(notes)")
        #expect(placements.all.count == 2, "\(placements.all)")
        let second = try #require(placements.all.last?.job)
        #expect(second != first)
        #expect(SlurmControl.cancel(second))
        var message = ""
        while message.isEmpty, last < 9 {
            message = thrownMessage { last = try trial.step().resource }
        }
        #expect(message.contains("cancelled outside ashb-top"), "\(message)")
        #expect(message.contains("no retries left of 1"), "\(message)")
        trial.cancel()
        CommandTerminations.waitForAll()
    }

    @Test(
        "(needs Slurm) A job that stays in the queue past queue_timeout fails its trial with Slurm's reason, and is cancelled"
    )
    func queueTimeout() throws {
        let dir = try ScriptDirectory(Self.steps)
        defer { dir.cleanUp() }
        let objective = try objective(
            dir, settings: try SlurmSettings(extraArgs: ["--begin=now+3600"], queueTimeout: 1.5))
        let trial = try objective.makeTrial(config: config([:]), seed: 1, trial: 0)
        let message = thrownMessage { _ = try trial.step() }
        #expect(message.contains("did not start within queue_timeout (1.5 s; PENDING, reason BeginTime)"), "\(message)")
        let prefix = (objective.launcher as? SlurmLauncher)?.namePrefix ?? "?"
        let left = SlurmControl.jobsOfUser().filter {
            $0.name.hasPrefix(prefix) && SlurmTestCluster.live.contains($0.state)
        }
        #expect(left.isEmpty, "\(left)")
        trial.cancel()
        CommandTerminations.waitForAll()
    }

    @Test(
        "(needs Slurm) After kill -9 of ashb-top a resumed trial whose checkpoint is at its job's target trains on under srun, told ASHB_RESOURCE and ASHB_JOB_RESOURCE"
    )
    func checkpointAtTargetAfterResume() throws {
        let dir = try ScriptDirectory(CommandCheckpointAheadTests.script)
        defer { dir.cleanUp() }
        let objective = try CommandObjective(
            run: "/bin/sh train.sh", maxResource: 9, graceSeconds: 2, checkpoint: true, baseDirectory: dir.path,
            launcher: SlurmLauncher(
                settings: try SlurmSettings(), environment: [:], tag: "test\(UUID().uuidString.prefix(8))"))
        try FileManager.default.createDirectory(
            atPath: objective.checkpointDirectory(2), withIntermediateDirectories: true)
        try "3\n".write(toFile: objective.checkpointDirectory(2) + "/epoch", atomically: true, encoding: .utf8)
        let trial = try #require(try objective.continueTrial(config: config([:]), seed: 1, trial: 2, resource: 3))
        trial.jobStarting(worker: 0, target: 3)
        let placements = PlacementLog(trial)
        #expect(try trial.step().resource == 4)
        #expect(placements.all.count == 1)
        #expect(dir.read("told.txt") == "resource=3 job=9 done=3\n")
        trial.cancel()
        CommandTerminations.waitForAll()
    }
}
