import Dashboard
import Foundation
import RunLog
import Testing

@testable import AshbTop

/// `--follow`: a log another process is still writing is read like `tail -f`.
@Suite struct ReplayFollowTests {
    static var lines: [String] { ReplayBadLogTests.fixtureLines.filter { !$0.isEmpty } }

    /// Appends `text` to the file at `path`.
    func append(_ path: String, _ text: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        handle.closeFile()
    }

    @Test func anIncompleteLastLineWaitsForTheRestOfIt() throws {
        let lines = Self.lines
        let path = temporaryFile("events.jsonl", lines.prefix(11).joined(separator: "\n") + "\n")
        let feed = LogReplayFeed(reader: try LogReader(path: path), follow: true, until: nil)
        #expect(try feed.read(limit: 100).count == 10)
        #expect(feed.isFollowing && !feed.isFinished)
        try append(path, String(lines[11].prefix(20)))
        #expect(try feed.read(limit: 100).isEmpty)
        #expect(feed.takeNotices().isEmpty, "a line being written is not torn")
        try append(path, String(lines[11].dropFirst(20)) + "\n")
        let next = try feed.read(limit: 100)
        #expect(next.map(\.seq) == [10])
        // Without --follow the same half line is torn, and said so.
        let torn = temporaryFile("events.jsonl", lines.prefix(11).joined(separator: "\n") + "\n" + lines[11].prefix(20))
        let once = LogReplayFeed(reader: try LogReader(path: torn), follow: false, until: nil)
        #expect(try once.read(limit: 100).count == 10)
        #expect(try once.read(limit: 100).isEmpty)
        #expect(once.isFinished)
        #expect(once.takeNotices() == ["log: line 12 is incomplete (a torn write at a crash?); ignored"])
    }

    @Test func headlessFollowPrintsTheSummaryOnceTheRunEnds() throws {
        let lines = Self.lines
        let path = temporaryFile("events.jsonl", lines.prefix(300).joined(separator: "\n") + "\n")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try ashbTopBinary())
        p.arguments = ["replay", path, "--follow", "--headless"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        // A replay that never stops following fails the test instead of hanging it.
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) { if p.isRunning { p.terminate() } }
        // The run is not over: the replay keeps following.
        #expect(p.isRunning)
        try append(path, lines[300..<500].joined(separator: "\n") + "\n" + lines[500].prefix(30))
        try append(path, String(lines[500].dropFirst(30)) + "\n" + lines[501...].joined(separator: "\n") + "\n")
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let whole = try runAshbTop(["replay", ReplayFixtureTests.fixtureLog, "--headless"])
        #expect(printed == whole.out.replacingOccurrences(of: ReplayFixtureTests.fixtureLog, with: path))
    }
}
