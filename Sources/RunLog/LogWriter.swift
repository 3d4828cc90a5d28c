import Dispatch
import Foundation

/// Appends a run's events to its JSON Lines log, in the line format of the log's version
/// (`LogHeader.lineFormat`): a new log is written in the current version, an existing one in its own.
///
/// Crash safety: bytes reach the file (the kernel's page cache, which survives `kill -9`) at least once a
/// second, at every trial's end (completed, failed, killed, stopped) and when the run ends; a torn
/// last line is what a crash can leave, and the reader ignores it with a warning.
///
/// Segments: with `segmentBytes`, the file is closed once it holds that many bytes (at a line's end): it
/// is renamed to the next closed segment (`events-000001.jsonl`, ...), a new empty file takes its path, and
/// a background compressor (lowest CPU priority, one segment at a time) turns the closed segment into
/// `events-NNNNNN.jsonl.zst` (see `LogSegments`, `LogCompressor`). `close` closes the live segment too and
/// compresses what is still plain on its own thread for at most `closeCompressionSeconds`: a closed
/// segment not compressed by then stays plain, and the next writer of the log (a resume) compresses it.
///
/// A write that fails (a full disk, a read-only or vanished file system) is final: it is reported once to
/// the `onFailure` handler, and nothing is written after it, so the file ends with complete lines (and at
/// most one torn one) that a resume can continue from once there is room again.
public final class LogWriter: EventSink, @unchecked Sendable {
    /// The log file's path.
    public let path: String
    /// How event lines are written: the log's version's format.
    public let format: EventLineFormat
    private let lock = NSLock()
    private var fd: Int32
    private var writer = JSONWriter(reserving: 1 << 16)
    private var lastFlush = CoarseClock.nanoseconds()
    private var timer: DispatchSourceTimer?
    private var failure: String?
    private var failureHandler: (@Sendable (String) -> Void)?
    /// The live segment's size at which it is closed; nil: never.
    private let segmentBytes: Int?
    /// Bytes in the live segment.
    private var fileBytes = 0
    /// The number the live segment takes when it is closed.
    private var nextSegment = 1
    private let compressor: LogCompressor?
    /// Closed segments that may wait for the compressor (one of them being compressed); a rotation that
    /// finds more waits for it, at most `backlogWait` seconds, so plain segments stay bounded.
    static let backlogSegments = 2
    static let backlogWait = 0.5

    /// Creates a new log at `path` (which must not exist) and writes `header` as its first line.
    /// With `segmentBytes`, the log is kept in segments of about that size (see the type's notes).
    public init(creating path: String, header: LogHeader, segmentBytes: Int? = nil) throws(LogError) {
        self.path = path
        self.segmentBytes = segmentBytes
        format = header.lineFormat
        compressor = segmentBytes == nil ? nil : LogCompressor(live: path)
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw LogError(path: path, line: nil, message: "cannot create: \(String(cString: strerror(errno)))")
        }
        var line = header.encoded()
        line.append(0x0A)
        try writeAll(line)
        fileBytes = line.count
        startTimer()
    }

    /// Opens an existing log to append to it (a resumed run), in its own version's line format (read from
    /// its header: a version 1 log goes on in version 1). A torn last line is cut off first.
    /// `validLength` is the length of the live segment's complete lines (`LogReader.liveValidLength`); the
    /// live segment is created when it is missing (a crash in a rotation) and `validLength` is 0. Closed
    /// segments left plain by an earlier writer are compressed (again, when a `.zst` or an older version's
    /// `.gz` is beside them), with `segmentBytes`; a `.zst.tmp` (or `.gz.tmp`) of a compression cut short is
    /// deleted.
    public init(appendingTo path: String, validLength: Int, segmentBytes: Int? = nil) throws(LogError) {
        self.path = path
        self.segmentBytes = segmentBytes
        format = try LogReader(path: path).header.lineFormat
        let closed = LogSegments.closed(live: path)
        nextSegment = (closed.last?.number ?? 0) + 1
        fd = open(path, O_WRONLY | O_CLOEXEC | (validLength == 0 && !closed.isEmpty ? O_CREAT : 0), 0o644)
        if fd < 0 { throw LogError(path: path, line: nil, message: "cannot open: \(String(cString: strerror(errno)))") }
        if ftruncate(fd, off_t(validLength)) != 0 || lseek(fd, 0, SEEK_END) < 0 {
            throw LogError(path: path, line: nil, message: "cannot append: \(String(cString: strerror(errno)))")
        }
        fileBytes = validLength
        compressor = segmentBytes == nil ? nil : LogCompressor(live: path)
        if let compressor {
            for segment in closed {
                let plain = LogSegments.plainPath(live: path, number: segment.number)
                unlink(plain + ".zst.tmp")
                unlink(plain + ".gz.tmp")
                // A plain segment with a compressed twin (killed before the unlink) is compressed again: the
                // plain file is what readers trust, so it goes only after a .zst this writer wrote and fsynced.
                if segment.plain { compressor.enqueue(segment.number) }
            }
        }
        startTimer()
    }

    /// Appends to an open descriptor (which it closes), in `format` (by default the current version's, of a
    /// wall-clock run); for tests that inject a failing file, e.g. `/dev/full`.
    public init(
        descriptor: Int32, path: String,
        format: EventLineFormat = .of(version: LogHeader.currentVersion, simulated: false)
    ) {
        self.path = path
        self.format = format
        segmentBytes = nil
        compressor = nil
        fd = descriptor
        startTimer()
    }

    /// Calls `handler` once, on a queue of its own, with the error of the first write that fails; at once
    /// when one failed already. The handler must not wait for this writer.
    public func onFailure(_ handler: @escaping @Sendable (String) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        if let failure {
            DispatchQueue.global().async { handler(failure) }
        } else {
            failureHandler = handler
        }
    }

    deinit {
        timer?.cancel()
        compressor?.stop()
        if fd >= 0 { Foundation.close(fd) }
    }

    /// The first write error, if any (the run goes on; the message says what was lost).
    public var error: String? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }

    public func receive(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        EventCodec.encode(event, into: &writer, format: format)
        writer.appendNewline()
        if Self.endsATrial(event.body) || writer.bytes.count >= 1 << 16
            || CoarseClock.nanoseconds() &- lastFlush >= 1_000_000_000
        {
            flushLocked()
        }
    }

    /// Writes everything buffered.
    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        flushLocked()
    }

    /// The first error of the background compressor, if any (its segment stays plain: nothing is lost).
    public var compressionError: String? { compressor?.error }

    /// Waits until every closed segment is compressed (tests; a writer with time to spare).
    public func waitForCompression() { compressor?.drain() }

    /// How long `close` may spend compressing what is left of a log in segments, by default.
    public static let closeCompressionSeconds = 0.3

    /// Flushes and closes the file; later events are dropped. A log in segments (one with closed segments
    /// already) also closes its live segment, which is synced and renamed to the next closed segment, an
    /// empty `events.jsonl` taking its place; then the closed segments still plain are compressed on this
    /// thread for at most `seconds` (the background compressor is stopped first), and those not done by
    /// then stay plain (a resume compresses them). With 0 seconds nothing more is compressed and the live
    /// segment stays as it is.
    public func close(compressingFor seconds: Double = LogWriter.closeCompressionSeconds) {
        timer?.cancel()
        lock.lock()
        defer { lock.unlock() }
        let deadline = DispatchTime.now() + seconds
        flushLocked()
        if let compressor {
            if seconds > 0, fd >= 0, failure == nil, nextSegment > 1, fileBytes > 0, compressor.error == nil {
                // A failure here loses nothing: before the rename the live segment is whole, after it the
                // closed one is (a missing events.jsonl reads as empty and a resume creates it).
                try? rotateLocked(closing: true)
            }
            compressor.finish(until: seconds > 0 ? deadline : .now())
        }
        if fd >= 0 {
            if fsync(fd) != 0, errno != EINVAL, errno != EROFS {
                fail(LogError(path: path, line: nil, message: "fsync failed: \(String(cString: strerror(errno)))"))
            }
            Foundation.close(fd)
            fd = -1
        }
    }

    private static func endsATrial(_ body: RunEvent.Body) -> Bool {
        switch body {
        case .trialCompleted, .trialFailed, .trialKilled, .runEnded, .runStarted, .runContinued, .trialPaused,
            .runPaused:
            return true
        case .decision(let d): return d.action == .stop || d.action == .complete
        default: return false
        }
    }

    private func flushLocked() {
        lastFlush = CoarseClock.nanoseconds()
        guard !writer.bytes.isEmpty, fd >= 0, failure == nil else {
            writer.reset()
            return
        }
        do {
            try writeAll(writer.bytes)
            fileBytes += writer.bytes.count
            if let segmentBytes, fileBytes >= segmentBytes { try rotateLocked() }
        } catch {
            fail(error)
        }
        writer.reset()
    }

    /// Closes the live segment under the next closed segment's name and starts a new one. A `kill -9`
    /// between the rename and the create leaves no live segment: readers take it as empty, and a resume
    /// creates it. `closing`: the writer's close, which syncs the segment (file and directory) and leaves its
    /// compression to `LogCompressor.finish`.
    private func rotateLocked(closing: Bool = false) throws(LogError) {
        let closedPath = LogSegments.plainPath(live: path, number: nextSegment)
        if LogSegments.anyFile(live: path, number: nextSegment) {
            throw LogError(path: closedPath, line: nil, message: "cannot close the log segment: the name is taken")
        }
        if closing, fsync(fd) != 0, errno != EINVAL, errno != EROFS {
            throw LogError(path: path, line: nil, message: "fsync failed: \(String(cString: strerror(errno)))")
        }
        if rename(path, closedPath) != 0 {
            throw LogError(
                path: path, line: nil, message: "cannot close the log segment: \(String(cString: strerror(errno)))")
        }
        Foundation.close(fd)
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw LogError(
                path: path, line: nil, message: "cannot start a new log segment: \(String(cString: strerror(errno)))")
        }
        fileBytes = 0
        nextSegment += 1
        if closing {
            POSIXFile.syncDirectory(ofLog: path)
            return
        }
        compressor?.enqueue(nextSegment - 1)
        compressor?.waitForBacklog(below: Self.backlogSegments + 1, timeout: Self.backlogWait)
    }

    /// Records the first failure and tells the handler (off this thread: it may be the tuner's).
    private func fail(_ error: LogError) {
        guard failure == nil else { return }
        let message = error.description
        failure = message
        if let handler = failureHandler { DispatchQueue.global().async { handler(message) } }
    }

    private func writeAll(_ bytes: [UInt8]) throws(LogError) {
        guard !bytes.isEmpty else { return }
        if let problem = bytes.withUnsafeBytes({ POSIXFile.writeAll(fd, $0.baseAddress!, $0.count) }) {
            throw LogError(path: path, line: nil, message: "write failed: \(problem)")
        }
    }

    private func startTimer() {
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ashb.log.flush"))
        t.schedule(deadline: .now() + 1, repeating: 1)
        t.setEventHandler { [weak self] in self?.flush() }
        t.resume()
        timer = t
    }
}

extension JSONWriter {
    /// Ends a line.
    public mutating func appendNewline() { appendRaw(0x0A) }
}
