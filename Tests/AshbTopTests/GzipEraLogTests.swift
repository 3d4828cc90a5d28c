import Foundation
import RunLog
import Testing

/// `Fixtures/gzip-era-run` is a run directory written by the release `ashb-top` of the version before zstd
/// (main at a9faf29, with `ASHB_LOG_SEGMENT_BYTES=4096`): a wall-clock branin run of 60 trials on 2
/// workers that finished, its closed segments `events-000001.jsonl.gz` … `events-000004.jsonl.gz` as that
/// version's compressor left them, an empty live `events.jsonl` and its checkpoint pack. This version must
/// read such a run whole and resume it, leaving the old segments as they are.
@Suite struct GzipEraLogTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/gzip-era-run").path

    /// A copy of the fixture run in a new directory (a resume writes into its run).
    static func copyOfFixture() throws -> String {
        let run = newDirectory() + "/gzip-era"
        try FileManager.default.copyItem(atPath: fixture, toPath: run)
        return run
    }

    /// The log's lines as `gzip -dc` prints them: the closed segments in order, then the live one. Read
    /// with the system's gzip, not with ashb-top's reader.
    static func linesByGzip(_ run: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: run)
            .filter { $0.hasPrefix("events-") && $0.hasSuffix(".jsonl.gz") }.sorted()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -dc \"$@\" && cat \"$0\"", run + "/events.jsonl"] + names.map { run + "/" + $0 }
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The `seq` of a JSON Lines event line.
    static func seq(_ line: String) -> Int? {
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return object?["seq"] as? Int
    }

    @Test func aGzipLogOfThePreviousVersionReadsWhole() throws {
        let run = try Self.copyOfFixture()
        let closed = LogSegments.closed(live: run + "/events.jsonl")
        #expect(closed.map(\.number) == [1, 2, 3, 4])
        #expect(closed.allSatisfy { $0.gzip && !$0.zstd && !$0.plain })

        let lines = try Self.linesByGzip(run)
        #expect(lines.count > 100)
        let reader = try LogReader(path: run + "/events.jsonl")
        let events = try reader.readAll()
        #expect(reader.warnings.isEmpty)
        // Every line after the header is one event, in the same order.
        #expect(events.count == lines.count - 1)
        #expect(events.map(\.seq) == lines.dropFirst().map { Self.seq($0) ?? -1 })
        #expect(events.enumerated().allSatisfy { $0.offset == $0.element.seq })
        #expect(reader.header.spec.contains("name: gzip-era"))
        guard case .runEnded(let reason) = events.last?.body else {
            Issue.record("the fixture's log does not end with run_ended")
            return
        }
        #expect(reason == .finished)
    }

    /// `ashb-top resume --extend` of the old run: its `.gz` segments stay byte for byte, the segments it
    /// closes are `.zst`, and the chain of both reads as one log that begins with the old one.
    @Test func resumingAGzipRunWritesZstdAfterIt() throws {
        let run = try Self.copyOfFixture()
        let live = run + "/events.jsonl"
        let before = try LogReader(path: live).readAll()
        let oldSegments = LogSegments.closed(live: live).map {
            ($0.number, FileManager.default.contents(atPath: LogSegments.gzPath(live: live, number: $0.number)))
        }

        let p = Process()
        p.executableURL = URL(fileURLWithPath: try ashbTopBinary())
        p.arguments = ["resume", run, "--extend", "60", "--headless"]
        var environment = ProcessInfo.processInfo.environment
        environment["ASHB_LOG_SEGMENT_BYTES"] = "4096"
        p.environment = environment
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "resume failed: \(errText)")

        for (number, content) in oldSegments {
            #expect(content != nil)
            #expect(FileManager.default.contents(atPath: LogSegments.gzPath(live: live, number: number)) == content)
        }
        let closed = LogSegments.closed(live: live)
        let newer = closed.filter { $0.number > 4 }
        #expect(!newer.isEmpty, "the resumed run closed no segment: \(closed)")
        #expect(newer.allSatisfy { !$0.gzip })
        #expect(newer.contains { $0.zstd })
        let names = try FileManager.default.contentsOfDirectory(atPath: run)
        #expect(!names.contains { $0.hasSuffix(".tmp") })

        let after = try LogReader(path: live).readAll()
        #expect(after.count > before.count)
        #expect(Array(after[..<before.count]) == before)
        #expect(after.enumerated().allSatisfy { $0.offset == $0.element.seq })
        // A version 1 log goes on in version 1: every line after the header carries its `seq`.
        let lines = try LogLineReader(log: live)
        var number = 0
        while let line = try lines.nextLine() {
            if number > 0 { #expect(line.starts(with: #"{"seq":"#.utf8), "line \(number + 1)") }
            number += 1
        }
        #expect(number == after.count + 1)
        #expect(
            after[before.count...].contains {
                if case .runContinued = $0.body { return true }
                return false
            })
        #expect(
            after[before.count...].contains {
                if case .trialSampled(let trial, _, _, _) = $0.body { return trial >= 60 }
                return false
            })
    }
}
