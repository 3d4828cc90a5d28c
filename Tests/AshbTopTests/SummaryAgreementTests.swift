import ASHA
import Foundation
import RunLog
import Testing

@testable import AshbTop

/// A live run's end summary, `replay --headless` and `export` read one fold of one log (`RunState`), so
/// they agree on every figure: on both variants, on the wall clock, on a run stopped by a signal, on a
/// run killed and resumed.
@Suite(.serialized) struct SummaryAgreementTests {
    /// The summary block of a run's output (from its "== Summary" line on).
    static func summaryBlock(_ out: String) throws -> String {
        String(out[try #require(out.range(of: "\n== Summary")).lowerBound...])
    }

    /// The "Trials" line the summary prints, rebuilt from `export`'s status column.
    static func trialsLine(fromExportOf run: String) throws -> String {
        let csv = try runAshbTop(["export", run, "--format", "json"])
        #expect(csv.status == 0, "stderr: \(csv.err)")
        guard case .array(let rows) = try JSONParser.parse(csv.out) else {
            Issue.record("export json is not an array")
            return ""
        }
        var counts: [String: Int] = [:]
        for row in rows {
            guard case .object(let fields) = row,
                case .string(let status)? = fields.first(where: { $0.0 == "status" })?.1
            else {
                Issue.record("a row without a status")
                continue
            }
            counts[status, default: 0] += 1
        }
        // After the run, a trial left waiting at a rung is exported as not_promoted, and the summary says
        // "not promoted" in the waiting place.
        let order = [
            "completed", "stopped", "not_promoted", "waiting", "running", "paused", "queued", "killed", "failed",
        ]
        let parts = order.compactMap { s in
            counts[s].map { "\(s.replacingOccurrences(of: "_", with: " ")) \($0)" }
        }
        return "Trials         \(rows.count): " + parts.joined(separator: ", ")
    }

    func expectAgreement(liveOutput: String, run: String) throws {
        let live = try Self.summaryBlock(liveOutput)
        let replay = try runAshbTop(["replay", run, "--headless"])
        #expect(replay.status == 0, "stderr: \(replay.err)")
        #expect(replay.out == live)
        #expect(live.contains(try Self.trialsLine(fromExportOf: run) + "\n"))
    }

    @Test(arguments: [Variant.promotion, .stopping])
    func simulatedRun(variant: Variant) throws {
        let root = newDirectory()
        let spec = temporaryFile(
            "sim.yaml",
            """
            name: agree-\(variant.rawValue)
            objective: {name: branin, cost: 0.5, noise: 0.01}
            scheduler: {variant: \(variant.rawValue), max_resource: 27, eta: 3, brackets: 2}
            workers: 3
            budget: {trials: 50}
            seed: 4
            clock: simulated
            """)
        let r = try runAshbTop(["run", spec, "--runs-dir", root])
        #expect(r.status == 0, "stderr: \(r.err)")
        #expect(r.out.contains("Ended          finished"))
        try expectAgreement(liveOutput: r.out, run: try onlyRun(in: root))
    }

    /// Wall clock, real workers: time and utilization are read from the events, not from a clock.
    @Test func wallClockRun() throws {
        let root = newDirectory()
        let spec = temporaryFile(
            "wall.yaml",
            """
            name: agree-wall
            objective: {name: branin, cost: 0.002, sleep: true}
            scheduler: {variant: promotion, max_resource: 9, eta: 3}
            workers: 3
            budget: {trials: 30}
            seed: 2
            """)
        let r = try runAshbTop(["run", spec, "--headless", "--runs-dir", root])
        #expect(r.status == 0, "stderr: \(r.err)")
        try expectAgreement(liveOutput: r.out, run: try onlyRun(in: root))
    }

    /// Stopped by SIGINT mid-run: the trials it paused are counted the same by all three.
    @Test func interruptedRun() throws {
        let root = newDirectory()
        let spec = temporaryFile(
            "slow.yaml",
            """
            name: agree-interrupted
            objective: {name: branin, cost: 0.004, sleep: true}
            scheduler: {variant: stopping, max_resource: 27}
            workers: 2
            budget: {trials: 100000}
            """)
        let out = Pipe()
        let p = try startHeadlessRun(spec, root: root, stdout: out) { _, log in
            log.components(separatedBy: "\"type\":\"decision\"").count > 10
        }
        kill(p.processIdentifier, SIGINT)
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        #expect(printed.contains("Ended          interrupted (SIGINT)"))
        try expectAgreement(liveOutput: printed, run: try onlyRun(in: root))
    }

    /// Killed with SIGKILL (no summary, a log that just stops), then resumed: the resumed run's summary
    /// is what the replay of the whole log prints.
    @Test func killedAndResumedRun() throws {
        let run = try ResumeCommandTests().killedRun(decisions: 30)
        let killed = try runAshbTop(["replay", run, "--headless"])
        #expect(killed.status == 0, "stderr: \(killed.err)")
        #expect(killed.out.contains("Ended          not ended"))
        let r = try runAshbTop(["resume", run, "--headless"])
        #expect(r.status == 0, "stderr: \(r.err)")
        try expectAgreement(liveOutput: r.out, run: run)
    }
}
