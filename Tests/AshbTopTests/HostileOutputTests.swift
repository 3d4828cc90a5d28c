import Foundation
import RunLog
import Testing

/// One hostile log through every path that prints (issue 10, item 3): headless lines, summaries, error
/// messages, CSV on a terminal, the replayed dashboard. Nothing that reaches the terminal may hold an
/// escape sequence or another control character, and CJK text must come through intact.
@Suite(.serialized) struct HostileOutputTests {
    /// The metric name of the issue: sets the title, clears the screen, writes the clipboard (OSC 52).
    static let hostileJSON = "\\u001b]0;PWNED\\u0007\\u001b[2J\\u001b]52;c;SGVsbG8=\\u0007"
    static let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{1b}]52;c;SGVsbG8=\u{7}"

    /// Whether `text` holds anything but printable text and newlines.
    static func controls(_ text: String) -> [String] {
        text.unicodeScalars.filter { s in
            let v = s.value
            return (v < 0x20 && v != 0x0A) || (0x7F...0x9F).contains(v)
        }.map { String(format: "U+%04X", $0.value) }
    }

    /// Expects the output of one command to be inert.
    static func expectInert(_ r: (status: Int32, out: String, err: String), _ what: String) {
        #expect(controls(r.out).isEmpty, "\(what): stdout holds \(controls(r.out))")
        #expect(controls(r.err).isEmpty, "\(what): stderr holds \(controls(r.err))")
        #expect(
            !r.out.contains("0;PWNED") && !r.err.contains("0;PWNED"),
            "\(what): the OSC payload was printed: \(r.out.suffix(300)) \(r.err.suffix(300))")
    }

    /// A finished simulated run's log, with the hostile metric and run name written into it, in a
    /// directory whose own name is hostile; and the same log cut short, to resume.
    static func hostileRun() throws -> (dir: String, cut: String) {
        let root = newDirectory()
        let spec = temporaryFile("s.yaml", RunLockTests.spec)
        let r = try runAshbTop(["run", spec, "--headless", "--runs-dir", root])
        try #require(r.status == 0, "\(r.err)")
        var text = try String(contentsOfFile: try onlyRun(in: root) + "/events.jsonl", encoding: .utf8)
        text = text.replacingOccurrences(of: "\"metric\":\"value\"", with: "\"metric\":\"\(hostileJSON)\"")
        text = text.replacingOccurrences(of: "\"name\":\"pairs\"", with: "\"name\":\"学习率\(hostileJSON)\"")
        let cut = root + "/cut\u{1b}[2J"
        try FileManager.default.createDirectory(atPath: cut, withIntermediateDirectories: true)
        let lines = text.split(separator: "\n").prefix(150).joined(separator: "\n") + "\n"
        try lines.write(toFile: cut + "/events.jsonl", atomically: false, encoding: .utf8)
        // A parameter name too (a resume would refuse it: its configurations differ from the spec's).
        text = text.replacingOccurrences(of: "\"x1\"", with: "\"x1\(hostileJSON)\"")
        let dir = root + "/run\u{1b}]0;PWNED\u{7}"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try text.write(toFile: dir + "/events.jsonl", atomically: false, encoding: .utf8)
        return (dir, cut)
    }

    @Test func everyPrintedPathIsInert() throws {
        let (dir, cut) = try Self.hostileRun()
        let replay = try runAshbTop(["replay", dir, "--headless"])
        #expect(replay.status == 0, "\(replay.err)")
        #expect(replay.out.contains("== Summary: 学习率 =="), "\(replay.out)")
        Self.expectInert(replay, "replay --headless")

        // New best lines and the summary of a resumed run.
        let resumed = try runAshbTop(["resume", cut, "--headless"])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(resumed.out.contains("new best: trial"))
        Self.expectInert(resumed, "resume --headless")

        // Error messages naming hostile paths and a hostile line of the log.
        var broken = try String(contentsOfFile: dir + "/events.jsonl", encoding: .utf8)
        broken += "{\"seq\":\u{1b}]0;PWNED\u{7}\n{\"seq\":1}\n"
        try broken.write(toFile: dir + "/events.jsonl", atomically: false, encoding: .utf8)
        for args in [
            ["replay", dir, "--headless"], ["export", dir], ["resume", dir, "--headless"],
            ["export", cut, "-o", cut + "/no\u{1b}[2Jdir/x.csv"], ["replay", dir + "/\u{1b}]0;PWNED\u{7}"],
        ] {
            let r = try runAshbTop(args)
            #expect(r.status != 0, "\(args.first!): \(r.out)")
            Self.expectInert(r, args.first! + " (an error)")
        }

        // A spec naming a hostile metric, and a hostile run name, printed live.
        let bad = temporaryFile("m.yaml", "objective: branin\nmetric: \"\(Self.hostileJSON)\"\n")
        Self.expectInert(try runAshbTop(["run", bad, "--headless", "--runs-dir", newDirectory()]), "spec metric")
        let named = temporaryFile(
            "n.yaml",
            RunLockTests.spec.replacingOccurrences(of: "name: pairs", with: "name: \"学习率\(Self.hostileJSON)\""))
        let live = try runAshbTop(["run", named, "--headless", "--runs-dir", newDirectory()])
        #expect(live.out.contains("run started: 学习率 —"), "\(live.out)")
        Self.expectInert(live, "run --headless")
    }

    @Test func csvOnATerminalIsInertAndTheTitleIsUntouched() throws {
        let (dir, _) = try Self.hostileRun()
        let csv = dir + "/../plain.csv"
        // To a file, the data stays exact.
        let exported = try runAshbTop(["export", dir, "-o", csv])
        #expect(exported.status == 0)
        #expect(try String(contentsOfFile: csv, encoding: .utf8).contains("x1" + Self.hostile))
        let session = try TmuxSession(
            command: "'\(try ashbTopBinary())' export '\(dir)'; echo EXPORTED", width: 120, height: 40)
        _ = try session.waitFor("the export") { $0.contains("EXPORTED") }
        let title = try session.tmux(["display-message", "-p", "-t", session.name, "#{pane_title}"])
        #expect(!title.contains("PWNED"), "the pane title became \(title)")
    }

    @Test func theReplayedDashboardDrawsTheHostileLogInert() throws {
        let (dir, _) = try Self.hostileRun()
        let session = try TmuxSession(
            command: "LANG=C.UTF-8 '\(try ashbTopBinary())' replay '\(dir)' --speed max", width: 120, height: 40)
        // The run's name and the hostile parameter name, drawn without their escape sequences.
        let screen = try session.waitFor("the replayed run") { $0.contains("学习率") && $0.contains("x1=") }
        #expect(!screen.contains("0;PWNED"))
        try session.send("q")
        let title = try session.tmux(["display-message", "-p", "-t", session.name, "#{pane_title}"])
        #expect(!title.contains("PWNED"), "the pane title became \(title)")
    }
}
