import ASHA
import Foundation
import Testing

@testable import Objectives

/// A resumed run's trial whose checkpoint got ahead of the log (its process trained on while ashb-top
/// was dead) and whose next job's target it has already reached.
@Suite("Command objective: a job whose target the trial has reached already")
struct CommandCheckpointAheadTests {
    /// The demo protocol in shell: continue from the checkpoint, report it again when it is beyond
    /// ASHB_RESOURCE, then train to ASHB_JOB_RESOURCE; records what it was told in told.txt.
    static let script = """
        dir="$(dirname "$0")"
        done=$(cat "$ASHB_CHECKPOINT_DIR/epoch" 2>/dev/null || echo 0)
        echo "resource=$ASHB_RESOURCE job=$ASHB_JOB_RESOURCE done=$done" >> "$dir/told.txt"
        if [ "$done" -gt "$ASHB_RESOURCE" ]; then echo "{\\"resource\\": $done, \\"value\\": 0.5}"; fi
        i=$((done+1))
        while [ $i -le "$ASHB_JOB_RESOURCE" ]; do
          echo $i > "$ASHB_CHECKPOINT_DIR/epoch"; echo "{\\"resource\\": $i, \\"value\\": 0.$i}"; i=$((i+1))
        done
        """

    @Test(
        "A continued trial at resource 3 given a job to 3 trains on towards max_resource instead of exiting with nothing to do"
    )
    func trainsOnPastReachedTarget() throws {
        let dir = try ScriptDirectory(Self.script)
        defer { dir.cleanUp() }
        let objective = try CommandObjective(
            run: "/bin/sh train.sh", maxResource: 9, graceSeconds: 2, checkpoint: true, baseDirectory: dir.path)
        // The log recorded resource 3 (the re-reported checkpoint); the checkpoint says 3 as well.
        try FileManager.default.createDirectory(
            atPath: objective.checkpointDirectory(5), withIntermediateDirectories: true)
        try "3\n".write(toFile: objective.checkpointDirectory(5) + "/epoch", atomically: true, encoding: .utf8)
        let trial = try #require(
            try objective.continueTrial(config: config([:]), seed: 1, trial: 5, resource: 3))
        trial.jobStarting(worker: 0, target: 3)
        let step = try trial.step()
        #expect(step.resource == 4)
        #expect(dir.read("told.txt") == "resource=3 job=9 done=3\n")
        trial.cancel()
        CommandTerminations.waitForAll()
    }
}
