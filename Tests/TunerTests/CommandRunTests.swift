import ASHA
import Foundation
import Objectives
import RunLog
import Testing

@testable import Tuner

/// Full runs of the tuner with the `command` objective: real child processes on the Dispatch pool
/// and on the simulated clock.
@Suite struct CommandRunTests {
    /// A directory with `train.sh`: value = (x − 0.3)² + 1/r, one line per resource up to
    /// ASHB_MAX_RESOURCE; every child appends its pid to pids.txt. Trials whose x is above
    /// `blockAbove` block after their first line (a long step).
    private func script(blockAbove: Double = 2) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ashb-run-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = """
            echo $$ >> "$(dirname "$0")/pids.txt"
            x=$(echo "$ASHB_CONFIG" | sed 's/.*"x":\\([-0-9.e]*\\).*/\\1/')
            r=1
            while [ $r -le $ASHB_MAX_RESOURCE ]; do
                awk -v x="$x" -v r="$r" 'BEGIN { printf "{\\"resource\\": %d, \\"value\\": %.17g, \\"seconds\\": 1}\\n", r, (x - 0.3) ^ 2 + 1 / r }'
                if awk -v x="$x" 'BEGIN { exit !(x > \(blockAbove)) }'; then sleep 1000 & wait; fi
                r=$((r + 1))
            done
            """
        try text.write(toFile: dir + "/train.sh", atomically: true, encoding: .utf8)
        return dir
    }

    private func pids(in dir: String) -> [Int32] {
        let text = (try? String(contentsOfFile: dir + "/pids.txt", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
    }

    private func space() throws -> SearchSpace {
        try SearchSpace([Parameter(name: "x", domain: .uniform(low: 0, high: 1, step: nil))])
    }

    @Test(arguments: [Tuner.Backend.dispatch, .simulated])
    func runFinishesWithResultsAndNoProcessLeft(backend: Tuner.Backend) throws {
        let dir = try script()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let objective = try CommandObjective(run: "/bin/sh train.sh", maxResource: 9, baseDirectory: dir)
        let recorder = Recorder()
        let tuner = try Tuner(
            objective: objective, space: space(), settings: settings(.promotion, trials: 12, maxResource: 9),
            options: TunerOptions(name: "command", workers: 3), backend: backend, sinks: [recorder])
        let summary = tuner.run()
        #expect(summary.endReason == "finished")
        let best = try #require(summary.best)
        #expect(best.resource == 9)
        let x = try #require(best.config["x"]?.doubleValue)
        #expect(abs(best.value - ((x - 0.3) * (x - 0.3) + 1.0 / 9)) < 1e-9)
        #expect((summary.counts[.completed] ?? 0) >= 1)
        #expect(!recorder.events.contains { if case .trialFailed = $0.body { true } else { false } })
        let started = pids(in: dir)
        #expect(started.count == 12)
        for pid in started {
            #expect(kill(pid, 0) != 0 && errno == ESRCH, "child \(pid) was reaped when the run ended")
        }
    }

    /// Stopping-based ASHA runs the trial's one job to max_resource; the child blocks in its second
    /// step, and the kill must reach it there (an in-process objective would hang the run).
    @Test(.timeLimit(.minutes(1))) func killingARunningTrialEndsItsProcessMidStep() throws {
        let dir = try script(blockAbove: -1)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let objective = try CommandObjective(run: "/bin/sh train.sh", maxResource: 9, baseDirectory: dir)
        let recorder = Recorder()
        let tuner = try Tuner(
            objective: objective, space: space(), settings: settings(.stopping, trials: 1, maxResource: 9),
            options: TunerOptions(name: "command", workers: 1), backend: .dispatch, sinks: [recorder])
        recorder.onEvent = { [weak tuner] event in
            guard case .metric(let t, _, _) = event.body, let tuner else { return }
            DispatchQueue.global().async { tuner.send(.killTrial(t)) }
        }
        let summary = tuner.run()
        #expect(summary.counts[.killed] == 1, "\(encoded(recorder.events).joined(separator: "\n"))")
        #expect(recorder.events.contains { if case .trialKilled(0) = $0.body { true } else { false } })
        #expect(!recorder.events.contains { if case .trialFailed = $0.body { true } else { false } })
        let started = pids(in: dir)
        #expect(started.count == 1)
        for pid in started {
            #expect(kill(pid, 0) != 0 && errno == ESRCH, "child \(pid) was reaped")
        }
    }
}
