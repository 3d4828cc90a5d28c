import Foundation
import Testing

@testable import RunLog

/// Writes a header and the given event lines (raw text) to a new log file; by default a version 1 header,
/// whose lines carry their `seq`.
func logFile(_ lines: [String], header: String? = nil, trailingNewline: Bool = true) -> String {
    let path = temporaryDirectory() + "/events.jsonl"
    let h = header ?? String(decoding: LogHeader(version: 1, program: "t", spec: "", seed: 1).encoded(), as: UTF8.self)
    var text = ([h] + lines).joined(separator: "\n")
    if trailingNewline { text += "\n" }
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
}

let goodLine = #"{"seq":0,"t":0.5,"type":"metric","trial":3,"resource":1,"value":0.25}"#

@Suite struct BadLogTests {
    @Test func tornLastLineIsIgnoredWithAWarning() throws {
        let path = logFile([goodLine, #"{"seq":1,"t":0.6,"type":"met"#], trailingNewline: false)
        let reader = try LogReader(path: path)
        let events = try reader.readAll()
        #expect(events.count == 1)
        #expect(reader.warnings.count == 1)
        #expect(reader.warnings.first?.contains("line 3") == true)
    }

    @Test func corruptMiddleLineIsAnErrorNamingItsLine() throws {
        let path = logFile([goodLine, "this is not json", goodLine])
        let reader = try LogReader(path: path)
        #expect(try reader.next() != nil)
        do {
            _ = try reader.next()
            Issue.record("a corrupt line was accepted")
        } catch {
            #expect(error.line == 3)
            #expect(error.description.contains(":3:"))
        }
    }

    @Test func lenientSkipsCorruptLinesAndSaysWhich() throws {
        let path = logFile([goodLine, "{\"seq\":1}", goodLine])
        let reader = try LogReader(path: path, lenient: true)
        let events = try reader.readAll()
        #expect(events.count == 2)
        #expect(reader.warnings == ["line 3: not a valid event: 't' must be a number; skipped"])
    }

    @Test func oversizedLineIsReported() throws {
        let huge = "{\"pad\":\"" + String(repeating: "x", count: LogReader.maxLineBytes + 10) + "\"}"
        let path = logFile([goodLine, huge])
        let reader = try LogReader(path: path)
        _ = try reader.next()
        #expect {
            _ = try reader.next()
        } throws: { error in
            (error as? LogError)?.line == 3 && "\(error)".contains("longer than")
        }
    }

    @Test func newerSchemaVersionIsRefusedClearly() {
        let path = logFile([goodLine], header: #"{"ashb_log":99,"program":"future","seed":"1","spec":""}"#)
        #expect {
            _ = try LogReader(path: path)
        } throws: { error in
            "\(error)".contains("schema version 99") && "\(error)".contains(":1:")
        }
    }

    @Test func missingFileAndNonLogFileAreClearErrors() {
        #expect {
            _ = try LogReader(path: "/nonexistent/dir/events.jsonl")
        } throws: { error in
            "\(error)".contains("no such file")
        }
        let path = logFile([], header: #"{"hello":"world"}"#)
        #expect {
            _ = try LogReader(path: path)
        } throws: { error in
            "\(error)".contains("not an ashb-top log header")
        }
    }

    @Test func unknownEventTypeAndDeepNestingAreRejected() throws {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let path = logFile([#"{"seq":0,"t":0,"type":"teleport"}"#, deep])
        let reader = try LogReader(path: path, lenient: true)
        #expect(try reader.readAll().isEmpty)
        #expect(reader.warnings.count == 2)
        #expect(reader.warnings[0].contains("unknown event type 'teleport'"))
        #expect(reader.warnings[1].contains("nesting deeper"))
    }
}
