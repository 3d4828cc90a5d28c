import CZstd
import Foundation
import Testing

@testable import RunLog

/// The formats of closed segments: logs of older versions (gzip segments) still read and resume, and a
/// compressed segment that is damaged, truncated or asks for too much memory is an error naming it.
@Suite struct LogSegmentFormatTests {
    /// A log as versions before zstd left it: every closed segment `events-NNNNNN.jsonl.gz`.
    static func gzipLog(_ events: [RunEvent]) throws -> String {
        let dir = temporaryDirectory()
        let live = dir + "/events.jsonl"
        try LogSegmentTests.write(events, dir: dir, segmentBytes: 16_384, compress: false).close()
        for segment in LogSegments.closed(live: live) {
            // The writer's compressor may have made a .zst of it before the close stopped it.
            let plain = LogSegments.plainPath(live: live, number: segment.number)
            let content = segment.plain ? LogSegmentTests.bytes(plain) : LogSegmentTests.unzstd(plain + ".zst")
            #expect(!content.isEmpty)
            LogSegmentTests.gzip(content, to: plain + ".gz")
            unlink(plain)
            unlink(plain + ".zst")
        }
        return live
    }

    @Test func aLogOfGzipSegmentsReadsWhole() throws {
        let events = LogSegmentTests.events(extra: 3000)
        let live = try Self.gzipLog(events)
        let closed = LogSegments.closed(live: live)
        #expect(closed.count >= 5)
        #expect(closed.allSatisfy { $0.gzip && !$0.zstd && !$0.plain })

        let reader = try LogReader(path: live)
        var marks: [(LogPosition, RunEvent)] = []
        var all: [RunEvent] = []
        while true {
            let at = reader.position
            guard let e = try reader.next() else { break }
            if all.count % 97 == 0 { marks.append((at, e)) }
            all.append(e)
        }
        #expect(sameEvents(all, events))
        #expect(reader.warnings.isEmpty)
        // Positions inside gzip segments (an index's marks) read the same lines again.
        #expect(Set(marks.map { $0.0.segment }).count >= 5)
        for (position, event) in marks {
            let lines = try LogLineReader(log: live, at: position)
            let line = try #require(try lines.nextLine())
            let again = try LogReader.event(line, path: live, lineNumber: 0, place: event.seq)
            #expect(sameEvents([again], [event]), "at \(position)")
        }
        // The replay's index over it.
        let index = LogIndex(path: live, interval: 100)
        let again = try LogReader(path: live)
        var indexed: [RunEvent] = []
        while let e = try index.next(from: again) { indexed.append(e) }
        #expect(sameEvents(indexed, events))
        #expect(sameEvents(try index.events(950..<1234), Array(events[950..<1234])))
    }

    /// A resumed old log: its `.gz` segments stay as they are, the segments closed from then on are `.zst`,
    /// and the chain of both reads as one log.
    @Test func aResumedGzipLogGoesOnInZstd() throws {
        let events = LogSegmentTests.events(extra: 2000)
        let live = try Self.gzipLog(events)
        let oldCount = LogSegments.closed(live: live).count
        let read = try LogReader(path: live)
        #expect(sameEvents(try read.readAll(), events))
        let w = try LogWriter(appendingTo: live, validLength: read.liveValidLength, segmentBytes: 16_384)
        var more: [RunEvent] = []
        for i in 0..<1500 {
            let text = "after resume \(i) " + String(repeating: "y", count: i % 89)
            more.append(RunEvent(seq: events.count + i, time: 1e6 + Double(i), body: .message(trial: nil, text: text)))
            w.receive(more[i])
            if i % 50 == 0 { w.flush() }
        }
        w.flush()
        w.waitForCompression()
        w.close()
        #expect(w.compressionError == nil)
        let closed = LogSegments.closed(live: live)
        #expect(closed.count >= oldCount + 3)
        for segment in closed {
            #expect(!segment.plain)
            #expect(segment.number <= oldCount ? segment.gzip && !segment.zstd : segment.zstd && !segment.gzip)
        }
        #expect(sameEvents(try LogReader(path: live).readAll(), events + more))
    }

    /// One compressed segment named as the log (`replay events-000001.jsonl.zst`) reads as that file.
    @Test func aCompressedSegmentReadsAsOneFile() throws {
        let events = LogSegmentTests.events(extra: 1000)
        let dir = temporaryDirectory()
        let live = dir + "/events.jsonl"
        try LogSegmentTests.write(events, dir: dir, segmentBytes: 16_384).close()
        let first = LogSegments.zstPath(live: live, number: 1)
        let alone = try LogReader(path: first).readAll()
        #expect(alone.count > 10)
        #expect(sameEvents(alone, Array(events[..<alone.count])))
        let gz = LogSegments.gzPath(live: live, number: 1)
        LogSegmentTests.gzip(LogSegmentTests.unzstd(first), to: gz)
        #expect(sameEvents(try LogReader(path: gz).readAll(), alone))
    }

    /// The error a reader throws for the log at `live`, or nil when it reads.
    static func readError(_ live: String) -> LogError? {
        do {
            _ = try LogReader(path: live).readAll()
            return nil
        } catch {
            return error
        }
    }

    @Test func aTruncatedOrDamagedZstdSegmentIsAnErrorNamingIt() throws {
        let dir = temporaryDirectory()
        let live = dir + "/events.jsonl"
        try LogSegmentTests.write(LogSegmentTests.events(extra: 2000), dir: dir, segmentBytes: 16_384).close()
        let second = LogSegments.zstPath(live: live, number: 2)
        let original = LogSegmentTests.bytes(second)
        #expect(Self.readError(live) == nil)

        truncate(second, off_t(original.count / 2))
        let truncated = try #require(Self.readError(live))
        #expect(truncated.path == second)
        #expect(truncated.message.contains("zstd"), "\(truncated)")

        // A flipped byte in the middle: the frame's checksum (or its structure) catches it.
        var damaged = original
        damaged[damaged.count / 2] ^= 0x5A
        #expect(FileManager.default.createFile(atPath: second, contents: Data(damaged)))
        let flipped = try #require(Self.readError(live))
        #expect(flipped.path == second)
        #expect(flipped.description.hasPrefix(second + ":"))

        // Empty: no frame at all, not an empty segment.
        #expect(FileManager.default.createFile(atPath: second, contents: Data()))
        let empty = try #require(Self.readError(live))
        #expect(empty.path == second)
        #expect(empty.message.contains("empty"), "\(empty)")

        // Not zstd at all.
        #expect(FileManager.default.createFile(atPath: second, contents: Data("{\"seq\":1}\n".utf8)))
        #expect(try #require(Self.readError(live)).path == second)
    }

    /// A frame that declares a 32 MiB window (more than the reader's 16 MiB bound) is refused before the
    /// memory is taken, naming the file, though it is valid zstd.
    @Test func aZstdFrameAskingForAHugeWindowIsRefused() throws {
        let dir = temporaryDirectory()
        let live = dir + "/events.jsonl"
        try LogSegmentTests.write(LogSegmentTests.events(extra: 2000), dir: dir, segmentBytes: 16_384).close()
        let second = LogSegments.zstPath(live: live, number: 2)
        let content = LogSegmentTests.unzstd(second)
        #expect(!content.isEmpty)

        let cctx = try #require(ZSTD_createCCtx())
        defer { ZSTD_freeCCtx(cctx) }
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, 25)
        var frame = [UInt8](repeating: 0, count: ZSTD_compressBound(content.count) + 64)
        var written = 0
        content.withUnsafeBytes { src in
            frame.withUnsafeMutableBytes { dst in
                var input = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
                var output = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                // Continue first, so the frame does not carry the content size (its window stays 32 MiB).
                _ = ZSTD_compressStream2(cctx, &output, &input, ZSTD_e_continue)
                while ZSTD_compressStream2(cctx, &output, &input, ZSTD_e_end) != 0 {}
                written = output.pos
            }
        }
        // Valid zstd: libzstd with its default bound (a 128 MiB window) reads it back.
        let dctx = try #require(ZSTD_createDCtx())
        defer { ZSTD_freeDCtx(dctx) }
        var back = [UInt8](repeating: 0, count: content.count + 16)
        var result = 1
        var produced = 0
        frame.withUnsafeBytes { src in
            back.withUnsafeMutableBytes { dst in
                var input = ZSTD_inBuffer(src: src.baseAddress, size: written, pos: 0)
                var output = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                result = ZSTD_decompressStream(dctx, &output, &input)
                produced = output.pos
            }
        }
        #expect(result == 0 && Array(back[..<produced]) == content)
        // With a 16 MiB bound it is refused.
        ZSTD_DCtx_reset(dctx, ZSTD_reset_session_and_parameters)
        ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 24)
        frame.withUnsafeBytes { src in
            back.withUnsafeMutableBytes { dst in
                var input = ZSTD_inBuffer(src: src.baseAddress, size: written, pos: 0)
                var output = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                result = ZSTD_decompressStream(dctx, &output, &input)
            }
        }
        #expect(ZSTD_isError(result) != 0)
        #expect(FileManager.default.createFile(atPath: second, contents: Data(frame[..<written])))

        let error = try #require(Self.readError(live))
        #expect(error.path == second)
        #expect(error.message.contains("memory"), "\(error)")
    }
}

/// The end of a log in segments: `close` leaves it compressed whole, a log of one file stays one file.
@Suite struct LogSegmentCloseTests {
    @Test func closingALogInSegmentsCompressesItWhole() throws {
        let events = LogSegmentTests.events(extra: 3050)  // the last flush leaves the live segment not empty
        let dir = temporaryDirectory()
        let live = dir + "/events.jsonl"
        let w = try LogSegmentTests.write(events, dir: dir, segmentBytes: 16_384, compress: false)
        let before = LogSegments.closed(live: live).count
        // Plenty of time for a few small segments, even on a loaded machine.
        w.close(compressingFor: 30)
        #expect(w.compressionError == nil)
        let closed = LogSegments.closed(live: live)
        #expect(closed.count == before + 1, "the live segment was closed too")
        #expect(closed.allSatisfy { $0.zstd && !$0.plain && !$0.gzip })
        #expect(LogSegmentTests.bytes(live).isEmpty)
        #expect(!LogSegmentTests.names(dir).contains { $0.hasSuffix(".tmp") })
        let read = try LogReader(path: live)
        #expect(sameEvents(try read.readAll(), events))
        #expect(read.liveValidLength == 0)

        // A resume appends to the empty live segment and, closing, compresses again.
        let more = RunEvent(seq: events.count, time: 1e6, body: .runEnded(reason: "done"))
        let again = try LogWriter(appendingTo: live, validLength: 0, segmentBytes: 16_384)
        again.receive(more)
        again.close(compressingFor: 30)
        #expect(LogSegments.closed(live: live).count == before + 2)
        #expect(sameEvents(try LogReader(path: live).readAll(), events + [more]))
    }

    @Test func closingWithNoTimeLeavesTheLiveSegment() throws {
        let events = LogSegmentTests.events(extra: 3050)  // the last flush leaves the live segment not empty
        let dir = temporaryDirectory()
        let live = dir + "/events.jsonl"
        let w = try LogSegmentTests.write(events, dir: dir, segmentBytes: 16_384, compress: false)
        let before = LogSegments.closed(live: live).count
        w.close(compressingFor: 0)
        #expect(LogSegments.closed(live: live).count == before)
        #expect(!LogSegmentTests.bytes(live).isEmpty)
        #expect(sameEvents(try LogReader(path: live).readAll(), events))
    }

    @Test func aLogThatNeverRotatedStaysOneFile() throws {
        let dir = temporaryDirectory()
        let events = LogSegmentTests.events(extra: 50)
        try LogSegmentTests.write(events, dir: dir, segmentBytes: 1 << 20).close(compressingFor: 30)
        #expect(LogSegmentTests.names(dir) == ["events.jsonl"])
        #expect(sameEvents(try LogReader(path: dir + "/events.jsonl").readAll(), events))
    }
}
