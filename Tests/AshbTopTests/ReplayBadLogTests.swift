import Foundation
import RunLog
import Testing

/// Logs are untrusted input: every bad log gets a clear message and an exit status, never a crash.
@Suite struct ReplayBadLogTests {
    static var fixtureLines: [String] {
        (try? String(contentsOfFile: ReplayFixtureTests.fixtureLog, encoding: .utf8))?
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init) ?? []
    }

    /// A log made of the fixture's lines changed by `edit`, in a new directory.
    func log(_ edit: (inout [String]) -> Void) -> String {
        var lines = Self.fixtureLines
        edit(&lines)
        return temporaryFile("events.jsonl", lines.joined(separator: "\n"))
    }

    @Test func missingFileOrDirectory() throws {
        let r = try runAshbTop(["replay", "/nonexistent/run", "--headless"])
        #expect(r.status == 1)
        #expect(r.err == "ashb-top: '/nonexistent/run': no such run directory or events file\n")
        let empty = newDirectory()
        let d = try runAshbTop(["replay", empty, "--headless"])
        #expect(d.status == 1)
        #expect(d.err.contains("\(empty)/events.jsonl: cannot open the run log: no such file"))
    }

    /// A well-formed event the fold cannot follow (a report from a trial never sampled) is named, and the
    /// rest of the log is summarized and exported as usual.
    @Test func eventsTheFoldCannotFollowAreNamed() throws {
        let path = log { lines in
            lines.insert(#"{"seq":671,"t":37.5,"type":"metric","trial":9999,"resource":1,"value":0.5}"#, at: 672)
            lines[673] = lines[673].replacingOccurrences(of: #""seq":671"#, with: #""seq":672"#)
        }
        let warning = "event 671: trial 9999 was never sampled); they were ignored"
        let replay = try runAshbTop(["replay", path, "--headless"])
        #expect(replay.status == 0, "stderr: \(replay.err)")
        #expect(replay.err.contains("1 event could not be folded (the first: " + warning))
        #expect(replay.out.contains("Ended          finished"))
        let export = try runAshbTop(["export", path])
        #expect(export.status == 0, "stderr: \(export.err)")
        #expect(export.err.contains(warning))
        #expect(export.out.split(separator: "\n").count == 61)
    }

    @Test func newerSchemaIsRefused() throws {
        let newer = LogHeader.currentVersion + 1
        let path = log { $0[0] = $0[0].replacingOccurrences(of: #""ashb_log":1"#, with: #""ashb_log":\#(newer)"#) }
        let r = try runAshbTop(["replay", path, "--headless"])
        #expect(r.status == 1)
        #expect(
            r.err.contains("\(path):1: the log was written with schema version \(newer), newer than this program reads")
        )
        #expect(r.out.isEmpty)
    }

    @Test func corruptLineIsNamedAndSkippedWithLenient() throws {
        let path = log { $0[4] = #"{"seq":3,"t":0.0,"type":{{"# }
        let r = try runAshbTop(["replay", path, "--headless"])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("ashb-top: \(path):5: not valid JSON"), "\(r.err)")
        #expect(r.out.isEmpty)
        let lenient = try runAshbTop(["replay", path, "--headless", "--lenient"])
        #expect(lenient.status == 0, "\(lenient.err)")
        #expect(lenient.err.contains("log: line 5: not valid JSON"))
        #expect(lenient.err.contains("; skipped"))
        #expect(lenient.out.contains("== Summary: replay-fixture =="))
        // An event of an unknown type is reported the same way.
        let unknown = log { $0[6] = #"{"seq":5,"t":0.0,"type":"teleported","trial":1}"# }
        let u = try runAshbTop(["replay", unknown, "--headless"])
        #expect(u.status == 1)
        #expect(u.err.contains("\(unknown):7: not a valid event"))
    }

    @Test func oversizedLineIsNamed() throws {
        let path = log {
            $0[9] =
                #"{"seq":8,"t":0.0,"type":"message","trial":null,"text":""# + String(repeating: "x", count: 1 << 21)
                + #""}"#
        }
        let r = try runAshbTop(["replay", path, "--headless"])
        #expect(r.status == 1)
        #expect(r.err.contains("\(path):10: line longer than 1048576 bytes"), "\(r.err.prefix(300))")
        let lenient = try runAshbTop(["replay", path, "--headless", "--lenient"])
        #expect(lenient.status == 1, "an oversized line cannot be skipped: the reader cannot find where it ends")
    }

    @Test func tornLastLineIsIgnoredWithANotice() throws {
        let lines = Self.fixtureLines.filter { !$0.isEmpty }
        let path = log { l in
            l = Array(lines.dropLast())
            l.append(String(lines.last!.prefix(12)))
        }
        let r = try runAshbTop(["replay", path, "--headless"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err == "ashb-top: log: line \(lines.count) is incomplete (a torn write at a crash?); ignored\n")
        #expect(r.out.contains("Ended          not ended"))
    }

    @Test func notALogAtAll() throws {
        let empty = temporaryFile("events.jsonl", "")
        let e = try runAshbTop(["replay", empty, "--headless"])
        #expect(e.status == 1)
        #expect(e.err.contains("the file is empty: not an ashb-top run log"))
        let other = temporaryFile("events.jsonl", "{\"hello\":1}\n")
        let o = try runAshbTop(["replay", other, "--headless"])
        #expect(o.status == 1)
        #expect(o.err.contains(":1: the first line is not an ashb-top log header"))
        let headerOnly = log { $0 = [$0[0], ""] }
        let h = try runAshbTop(["replay", headerOnly, "--headless"])
        #expect(h.status == 1)
        #expect(h.err.contains("the log records no run_started event"))
        let binary = temporaryFile("events.jsonl", String(decoding: [0xFF, 0xFE, 0x00, 0x0A], as: UTF8.self))
        let b = try runAshbTop(["replay", binary, "--headless"])
        #expect(b.status == 1)
        #expect(b.err.contains(":1: not an ashb-top run log: its first line is not valid JSON"), "\(b.err)")
    }

    @Test func badSpeedIsAUsageError() throws {
        let r = try runAshbTop(["replay", ReplayFixtureTests.fixtureLog, "--speed", "2000"])
        #expect(r.status == 64)
        #expect(r.err.contains("--speed: '2000' is not between 0.25 and 1024, or max"))
    }
}
