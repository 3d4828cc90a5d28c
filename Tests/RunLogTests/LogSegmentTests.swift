import CZlib
import CZstd
import Foundation
import Testing

@testable import RunLog

/// The run log kept as a chain of segments: rotation, background compression, crash states, and readers
/// that see the same events as in a log of one file.
@Suite struct LogSegmentTests {
    static let header = LogHeader(program: "t", spec: "name: s\n", seed: 7)

    /// Every kind of event, then `extra` messages (long enough to pass small segment sizes quickly); times to
    /// the microsecond, as a version 2 log of a wall-clock run keeps them.
    static func events(extra: Int) -> [RunEvent] {
        var all = everyKindOfEvent()
        for i in 0..<extra {
            let text = "message \(i) " + String(repeating: "x", count: i % 97)
            all.append(RunEvent(seq: all.count, time: Double(all.count), body: .message(trial: i % 13, text: text)))
        }
        for i in all.indices { all[i].time = (all[i].time * 1e6).rounded() / 1e6 }
        return all
    }

    /// Writes `events` to `dir/events.jsonl`, flushing every `flushEvery` events.
    static func write(
        _ events: [RunEvent], dir: String, segmentBytes: Int?, flushEvery: Int = 50, compress: Bool = true
    ) throws -> LogWriter {
        let w = try LogWriter(creating: dir + "/events.jsonl", header: header, segmentBytes: segmentBytes)
        for (i, e) in events.enumerated() {
            w.receive(e)
            if i % flushEvery == 0 { w.flush() }
        }
        w.flush()
        if compress { w.waitForCompression() }
        return w
    }

    static func names(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    /// The decompressed bytes of a zstd file of one frame (libzstd's one-shot call, not the reader's
    /// streaming one), or [] when it is not one.
    static func unzstd(_ path: String) -> [UInt8] {
        let compressed = bytes(path)
        let size = compressed.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        guard size < 1 << 32 else { return [] }
        var out = [UInt8](repeating: 0, count: Int(size))
        let n = out.withUnsafeMutableBytes { o in
            compressed.withUnsafeBytes { ZSTD_decompress(o.baseAddress, o.count, $0.baseAddress, $0.count) }
        }
        return ZSTD_isError(n) != 0 || n != Int(size) ? [] : out
    }

    /// Writes `content` as a gzip file (what versions before zstd wrote).
    static func gzip(_ content: [UInt8], to path: String) {
        guard let z = gzopen(path, "wb1") else { return }
        content.withUnsafeBytes { _ = gzwrite(z, $0.baseAddress, UInt32($0.count)) }
        gzclose(z)
    }

    /// The decompressed bytes of a gzip file (zlib reads it as `zcat` would).
    static func gunzip(_ path: String) -> [UInt8] {
        guard let z = gzopen(path, "rb") else { return [] }
        defer { gzclose(z) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(z, $0.baseAddress!, UInt32($0.count)) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        return out
    }

    static func bytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }

    @Test func rotatesCompressesAndReadsTheSameEventsAsOneFile() throws {
        let events = Self.events(extra: 3000)
        let plainDir = temporaryDirectory()
        try Self.write(events, dir: plainDir, segmentBytes: nil).close()
        let dir = temporaryDirectory()
        let writer = try Self.write(events, dir: dir, segmentBytes: 16_384)
        writer.close()
        #expect(writer.compressionError == nil)

        let names = Self.names(dir)
        let zst = names.filter { $0.hasSuffix(".jsonl.zst") }
        #expect(zst.count >= 5)
        #expect(zst.first == "events-000001.jsonl.zst")
        #expect(!names.contains { $0.hasSuffix(".gz") })
        // Every closed segment was compressed, and its plain file deleted; no temporary left.
        #expect(names.filter { $0.hasPrefix("events-") && $0.hasSuffix(".jsonl") }.isEmpty)
        #expect(!names.contains { $0.hasSuffix(".tmp") })
        #expect(names.contains("events.jsonl"))

        // The chain's bytes, in the order `zstd -dcf events*.jsonl*` prints them, are the one-file log's bytes.
        var chain: [UInt8] = []
        for name in names where name.hasPrefix("events") {
            chain += name.hasSuffix(".zst") ? Self.unzstd(dir + "/" + name) : Self.bytes(dir + "/" + name)
        }
        #expect(chain == Self.bytes(plainDir + "/events.jsonl"))

        let segmented = try LogReader(path: dir + "/events.jsonl")
        let plain = try LogReader(path: plainDir + "/events.jsonl")
        #expect(segmented.header == plain.header)
        let a = try segmented.readAll()
        #expect(a.count == events.count)
        #expect(sameEvents(a, try plain.readAll()))
        #expect(segmented.warnings.isEmpty)
        #expect(segmented.liveValidLength == Self.bytes(dir + "/events.jsonl").count)
    }

    @Test func aLogWithoutRotationIsOneFile() throws {
        let dir = temporaryDirectory()
        try Self.write(Self.events(extra: 50), dir: dir, segmentBytes: 1 << 30).close()
        #expect(Self.names(dir) == ["events.jsonl"])
    }

    /// The states a `kill -9` can leave in a rotation or a compression: each reads back every event, and
    /// a resumed writer cleans up, compresses what was left plain and appends.
    @Test func crashStatesLoseNothingAndResumeCompresses() throws {
        let events = Self.events(extra: 2000)
        let dir = temporaryDirectory()
        let live = dir + "/events.jsonl"
        try Self.write(events, dir: dir, segmentBytes: 16_384, compress: false).close()
        let closed = LogSegments.closed(live: live)
        #expect(closed.count >= 6)
        // Make the crash states by hand from the segments: 1 plain with a torn .zst.tmp beside it (a
        // compression cut short), 2 plain and a complete .zst (killed before the unlink), 3 plain with a
        // damaged .zst (readers must prefer the plain file); and those an older version left: 4 plain with a
        // torn .gz.tmp, 5 plain beside a complete .gz and a complete .zst; the rest as they are.
        for n in 1...5 {
            let plain = LogSegments.plainPath(live: live, number: n)
            _ = LogCompressor(live: live).compress(n)
            // compress() deleted the plain file; put it back from the .zst.
            let content = Self.unzstd(plain + ".zst")
            #expect(!content.isEmpty)
            #expect(FileManager.default.createFile(atPath: plain, contents: Data(content)))
            switch n {
            case 1:
                try FileManager.default.moveItem(atPath: plain + ".zst", toPath: plain + ".zst.tmp")
                truncate(plain + ".zst.tmp", 40)
            case 3: truncate(plain + ".zst", 30)
            case 4:
                unlink(plain + ".zst")
                Self.gzip(content, to: plain + ".gz.tmp")
                truncate(plain + ".gz.tmp", 40)
            case 5: Self.gzip(content, to: plain + ".gz")
            default: break
            }
        }
        let read = try LogReader(path: live)
        #expect(sameEvents(try read.readAll(), events))

        // Resume: the writer deletes the .tmp files and compresses every plain segment again (over a
        // compressed twin), deleting an older version's .gz twin.
        let more = RunEvent(seq: events.count, time: 1e6, body: .message(trial: nil, text: "after resume"))
        let w = try LogWriter(appendingTo: live, validLength: read.liveValidLength, segmentBytes: 16_384)
        w.receive(more)
        w.flush()
        w.waitForCompression()
        w.close()
        let names = Self.names(dir)
        #expect(!names.contains { $0.hasSuffix(".tmp") })
        #expect(!names.contains("events-000002.jsonl"))
        #expect(!names.contains { $0.hasSuffix(".gz") })
        // Segment 3's plain file was kept (its .zst was damaged) and compressed again over the damaged one.
        #expect(names.filter { $0.hasPrefix("events-") && $0.hasSuffix(".jsonl") }.isEmpty)
        for n in 1...5 { #expect(names.contains("events-00000\(n).jsonl.zst")) }
        #expect(sameEvents(try LogReader(path: live).readAll(), events + [more]))
    }

    /// A `kill -9` between a rotation's rename and create leaves no `events.jsonl`: the log still reads
    /// whole, and a resume creates the live segment and appends.
    @Test func aMissingLiveSegmentIsEmpty() throws {
        let events = Self.events(extra: 1500)
        let dir = temporaryDirectory()
        let live = dir + "/events.jsonl"
        try Self.write(events, dir: dir, segmentBytes: 16_384).close()
        let number = (LogSegments.closed(live: live).last?.number ?? 0) + 1
        try FileManager.default.moveItem(atPath: live, toPath: LogSegments.plainPath(live: live, number: number))
        let reader = try LogReader(path: live)
        #expect(sameEvents(try reader.readAll(), events))
        #expect(reader.liveMissing)
        #expect(reader.liveValidLength == 0)
        let more = RunEvent(seq: events.count, time: 1e6, body: .runEnded(reason: "done"))
        let w = try LogWriter(appendingTo: live, validLength: 0, segmentBytes: 16_384)
        w.receive(more)
        w.close()
        #expect(sameEvents(try LogReader(path: live).readAll(), events + [more]))
    }

    @Test func aMissingMiddleSegmentIsAnError() throws {
        let dir = temporaryDirectory()
        let live = dir + "/events.jsonl"
        try Self.write(Self.events(extra: 2000), dir: dir, segmentBytes: 16_384).close()
        unlink(LogSegments.zstPath(live: live, number: 2))
        #expect(throws: LogError.self) { try LogReader(path: live).readAll() }
    }

    /// A follower that reached the end of the live segment keeps reading across rotations: the old file to
    /// its end, then the new `events.jsonl`, with no event lost or repeated.
    @Test func aFollowerReadsAcrossRotations() throws {
        let events = Self.events(extra: 3000)
        let dir = temporaryDirectory()
        let live = dir + "/events.jsonl"
        let w = try LogWriter(creating: live, header: Self.header, segmentBytes: 16_384)
        defer { w.close() }
        w.receive(events[0])
        w.flush()
        let follower = try LogReader(path: live)
        var seen: [RunEvent] = []
        var rotations = 0
        var last = 0
        for (i, e) in events.enumerated().dropFirst() {
            w.receive(e)
            if i % 37 == 0 {
                w.flush()
                while let f = try follower.next(follow: true) { seen.append(f) }
                let count = LogSegments.closed(live: live).count
                if count > last { rotations += 1 }
                last = count
            }
        }
        w.flush()
        while let f = try follower.next(follow: true) { seen.append(f) }
        #expect(rotations >= 5)
        #expect(sameEvents(seen, events))
    }

    @Test func segmentNamesAndTheKnob() {
        #expect(LogSegments.plainPath(live: "/r/events.jsonl", number: 12) == "/r/events-000012.jsonl")
        #expect(LogSegments.zstPath(live: "/r/events.jsonl", number: 1) == "/r/events-000001.jsonl.zst")
        #expect(LogSegments.gzPath(live: "/r/events.jsonl", number: 1) == "/r/events-000001.jsonl.gz")
        #expect(LogSegments.parse(name: "events-000003.jsonl.zst", stem: "events")! == (3, .zstd))
        #expect(LogSegments.parse(name: "events-000003.jsonl.gz", stem: "events")! == (3, .gzip))
        #expect(LogSegments.parse(name: "events-000003.jsonl", stem: "events")! == (3, .plain))
        #expect(LogSegments.parse(name: "events-000003.jsonl.zst.tmp", stem: "events") == nil)
        #expect(LogSegments.parse(name: "events-000003.jsonl.gz.tmp", stem: "events") == nil)
        #expect(LogSegments.parse(name: "events-3.jsonl", stem: "events") == nil)
        #expect(LogSegments.configuredSegmentBytes(environment: ["ASHB_LOG_SEGMENT_BYTES": "4096"]) == 4096)
        #expect(
            LogSegments.configuredSegmentBytes(environment: ["ASHB_LOG_SEGMENT_BYTES": "12"])
                == LogSegments.defaultSegmentBytes)
        #expect(
            LogSegments.configuredSegmentBytes(environment: ["ASHB_LOG_SEGMENT_BYTES": "lots"])
                == LogSegments.defaultSegmentBytes)
    }
}

/// Positions in a segmented log (segment and offset) that an index keeps: reading again from one gives
/// the same lines as the first reading, whether the segment is compressed, plain or live.
@Suite struct LogSegmentPositionTests {
    @Test func readingAgainFromAPositionGivesTheSameLines() throws {
        let events = LogSegmentTests.events(extra: 3050)  // the last flush leaves the live segment not empty
        let dir = temporaryDirectory()
        let live = dir + "/events.jsonl"
        let w = try LogSegmentTests.write(events, dir: dir, segmentBytes: 16_384)
        w.close(compressingFor: 0)  // the live segment stays, with the last events
        // Leave segment 2 plain beside nothing (not compressed yet) to cover the three kinds.
        let plain2 = LogSegments.plainPath(live: live, number: 2)
        #expect(FileManager.default.createFile(atPath: plain2, contents: Data(LogSegmentTests.unzstd(plain2 + ".zst"))))
        unlink(plain2 + ".zst")
        let reader = try LogReader(path: live)
        var marks: [(LogPosition, RunEvent)] = []
        var index = 0
        while true {
            let at = reader.position
            guard let e = try reader.next() else { break }
            // Every 97th event, and each segment's first (the live one holds only the last few).
            if index % 97 == 0 || at.segment != marks.last?.0.segment { marks.append((at, e)) }
            index += 1
        }
        let segments = Set(marks.map { $0.0.segment })
        #expect(segments.count >= 5)
        #expect(segments.contains(2))
        #expect(segments.contains((LogSegments.closed(live: live).last?.number ?? 0) + 1))  // the live one
        for (position, event) in marks {
            let lines = try LogLineReader(log: live, at: position)
            let line = try #require(try lines.nextLine())
            let again = try LogReader.event(line, path: live, lineNumber: 0, place: event.seq)
            #expect(sameEvents([again], [event]), "at \(position)")
        }
        #expect(throws: LogError.self) { try LogLineReader(log: live, at: LogPosition(segment: 99, offset: 0)) }
    }
}

/// The replay's index over a segmented log: windows read again equal the events of the first reading.
@Suite struct LogSegmentIndexTests {
    @Test func windowsOfASegmentedLogAreTheEventsReadFirst() throws {
        let events = LogSegmentTests.events(extra: 3000)
        let dir = temporaryDirectory()
        let live = dir + "/events.jsonl"
        try LogSegmentTests.write(events, dir: dir, segmentBytes: 16_384).close()
        #expect(LogSegments.closed(live: live).count >= 5)
        let reader = try LogReader(path: live)
        let index = LogIndex(path: live, interval: 100)
        var all: [RunEvent] = []
        while let e = try index.next(from: reader) { all.append(e) }
        #expect(sameEvents(all, events))
        for range in [0..<50, 950..<1234, 2900..<all.count, 17..<18] {
            #expect(sameEvents(try index.events(range), Array(all[range])), "\(range)")
        }
    }
}
