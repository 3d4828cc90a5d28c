import Dashboard
import Foundation
import RunLog
import Testing

@testable import AshbTop

/// The replay's file index: the feed notes where blocks of events start, and reads any of them again
/// from the log, the same events the first reading gave.
@Suite struct ReplayIndexTests {
    /// Reads the whole log through `feed`, in batches of 100.
    func readAll(_ feed: LogReplayFeed) throws -> [RunEvent] {
        var all: [RunEvent] = []
        while !feed.isFinished { all += try feed.read(limit: 100) }
        return all
    }

    @Test func blocksReadAgainAreTheEventsFirstRead() throws {
        let feed = LogReplayFeed(
            reader: try LogReader(path: ReplayFixtureTests.fixtureLog), follow: false, until: nil, markInterval: 50)
        let all = try readAll(feed)
        #expect(all.count == 672)
        #expect(feed.index.marks.count == 14)
        for range in [0..<50, 50..<100, 600..<650, 650..<672, 10..<20, 666..<700] {
            #expect(try feed.index.events(range) == Array(all[range.clamped(to: 0..<all.count)]), "\(range)")
        }
    }

    /// Blank lines and lines a lenient reading skipped are skipped again, and the events keep their numbers.
    @Test func linesSkippedOnceAreSkippedAgain() throws {
        var lines = ReplayBadLogTests.fixtureLines.filter { !$0.isEmpty }
        lines.insert("not json at all", at: 40)
        lines.insert("", at: 41)
        lines.insert(#"{"seq":999999,"t":1,"type":"no_such_event"}"#, at: 120)
        let path = temporaryFile("events.jsonl", lines.joined(separator: "\n") + "\n")
        let feed = LogReplayFeed(
            reader: try LogReader(path: path, lenient: true), follow: false, until: nil, markInterval: 16)
        let all = try readAll(feed)
        #expect(feed.reader.warnings.count == 2)
        let reference = try LogReader(path: ReplayFixtureTests.fixtureLog).readAll()
        #expect(all == reference)
        for start in stride(from: 0, to: all.count, by: 16) {
            #expect(try feed.index.events(start..<(start + 16)) == Array(all[start..<min(all.count, start + 16)]))
        }
    }

    /// A log rewritten under the replay is noticed, not shown as if it were the one read.
    @Test func aChangedLogIsAnErrorNotOtherEvents() throws {
        let lines = ReplayBadLogTests.fixtureLines.filter { !$0.isEmpty }
        let path = temporaryFile("events.jsonl", lines.joined(separator: "\n") + "\n")
        let feed = LogReplayFeed(reader: try LogReader(path: path), follow: false, until: nil, markInterval: 16)
        _ = try readAll(feed)
        // The same file with its first events gone: the marks no longer point at the events they noted.
        let cut = [lines[0]] + lines.dropFirst(20)
        try (cut.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: LogError.self) { _ = try feed.index.events(32..<48) }
        try (lines[0] + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: LogError.self) { _ = try feed.index.events(320..<336) }
    }

    /// The replay as `ashb-top replay` builds it holds a bounded number of events, whatever the log's length,
    /// and a seek anywhere shows what folding the log straight through shows.
    @Test func theTimelineHoldsFewEventsAndSeeksRight() throws {
        let t = try ReplayFixtureTests.replayTimeline()
        let all = try LogReader(path: ReplayFixtureTests.fixtureLog).readAll()
        #expect(t.count == all.count)
        #expect(t.heldEvents <= 3 * t.blockSize)
        let size = Size(width: 120, height: 40)
        var player = ReplayPlayer(timeline: t, playing: false)
        for p in [600, 5, 333, 0, 671, 64, 65, 200, 672, 100] {
            player.seek(to: p, timeline: t)
            #expect(player.position == p)
            #expect(
                ReplayFixtureTests.frame(player.model, size)
                    == ReplayFixtureTests.frame(DashboardModel(events: all.prefix(p)), size), "position \(p)")
        }
        #expect(t.readFailure == nil)
        #expect(t.blocksRead > 0)
    }
}
