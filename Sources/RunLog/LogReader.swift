import Foundation

/// A problem with a log file, naming the file and, where it applies, the line.
public struct LogError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String
    public init(path: String, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }
    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }

    /// The open of `path` failed: says why from `errno`.
    static func cannotOpen(_ path: String) -> LogError {
        let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
        return LogError(path: path, line: nil, message: "cannot open the run log: \(reason)")
    }
}

/// Which file a path named when it was opened: two opens of one file have the same identity.
public struct FileIdentity: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// The identity of the open file `fd`.
    public init(fd: Int32) {
        var st = stat()
        fstat(fd, &st)
        self.init(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// The identity of the file at `path`, or nil when there is none.
    public init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        self.init(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }
}

/// Streams a run log event by event with bounded memory (one read buffer and one line at a time), on
/// the shared line reader (`LogLineReader`), over the log's segment chain (`LogSegments`): `path` is the
/// live segment's (`events.jsonl`); line numbers count from the first segment's header.
///
/// Untrusted input: a line longer than `maxLineBytes` or not valid JSON, or not a valid event, is an
/// error naming its line number (with `lenient`, it is skipped and a warning kept instead); an
/// incomplete last line (a torn write) is ignored with a warning; a newer schema version is refused.
///
/// Event numbers: a version 1 line carries its `seq`; in later versions an event's number is its place,
/// the count of non-empty lines before it after the header (across segments), so a line skipped as bad
/// still takes its number and the events after it keep theirs. Empty lines are no events in either.
public final class LogReader {
    /// The longest line accepted, in bytes.
    public static let maxLineBytes = LogLineReader.maxLineBytes

    public let path: String
    public let header: LogHeader
    /// Warnings about lines that were skipped or ignored, each naming its line.
    public private(set) var warnings: [String] = []
    /// The number of the last line read (the header is line 1).
    public private(set) var lineNumber = 0
    /// Byte length of the complete lines read so far: where a resumed run may append.
    public private(set) var validLength = 0
    /// The number the next event takes: in a version 2 log, the count of non-empty lines read after the
    /// header (bad ones a lenient reading skipped included); in a version 1 log, the last event's `seq` + 1.
    /// A resumed run's events go on from it.
    public private(set) var nextSeq = 0

    /// Bytes read from the file so far (at the end of the file: its length when it was read).
    public var bytesRead: Int { lines.readOffset }
    /// The file read (device and inode), to check later that the path still names it.
    public var fileIdentity: FileIdentity { lines.fileIdentity }
    /// Where the next line starts (just past the last complete line read): the log's segment and the
    /// offset in it (see `LogLineReader.position`); `LogLineReader(log:at:)` reads on from there.
    public var position: LogPosition { lines.position }
    /// The live segment read, once the reader reached it (nil before, or when it is missing).
    public var liveIdentity: FileIdentity? { lines.chain?.liveIdentity }
    /// Whether the log ended without a live segment (a crash between a rotation's rename and create).
    public var liveMissing: Bool { lines.chain?.liveMissing ?? false }
    /// Bytes read from the live segment so far (at its end: its length when it was read).
    public var liveBytesRead: Int { lines.chain.map { $0.readingLive ? $0.currentBytes : 0 } ?? bytesRead }
    /// Byte length of the live segment's complete lines read so far: where a resumed run may append.
    public var liveValidLength: Int { validLength - (lines.chain?.bytesBeforeCurrent ?? 0) }

    /// Every event is checked against these limits (by default those of any spec: 512 workers, and the
    /// ladders of the log's own `run_started`); one outside them is an error naming its line (or, with
    /// `lenient`, skipped with a warning). A resume sets its spec's; set them before the first event.
    public var limits: LogLimits? = LogLimits() {
        didSet { validator = limits.map(LogValidator.init) }
    }
    private var validator: LogValidator? = LogValidator(LogLimits())

    private let lenient: Bool
    private let lines: LogLineReader
    /// Whether an event's number is its place (version 2), not its line's `seq`.
    private let numberedByPlace: Bool

    /// Opens `path` and reads its header.
    public init(path: String, lenient: Bool = false) throws(LogError) {
        self.path = path
        self.lenient = lenient
        lines = try LogLineReader(log: path)
        guard let line = try Self.line(lines, number: 1) else {
            throw LogError(path: path, line: nil, message: "the file is empty: not an ashb-top run log")
        }
        let headerValue: JSONValue
        do {
            headerValue = try Self.parseLine(line, path: path, lineNumber: 1)
        } catch {
            throw LogError(path: path, line: 1, message: "not an ashb-top run log: its first line is \(error.message)")
        }
        lineNumber = 1
        validLength = line.count + 1
        do {
            header = try LogHeader.decode(headerValue)
        } catch {
            throw LogError(path: path, line: 1, message: error.message)
        }
        numberedByPlace = !header.lineFormat.seqOnLine
    }

    /// The next event; nil at the end of the file. With `follow`, an incomplete last line is kept for a
    /// later call (the writer may still be writing it) instead of being reported as torn.
    public func next(follow: Bool = false) throws(LogError) -> RunEvent? {
        while true {
            let n = lineNumber + 1
            guard let line = try Self.line(lines, number: n) else {
                if !follow && lines.pendingBytes > 0 {
                    warnings.append("line \(n) is incomplete (a torn write at a crash?); ignored")
                    lines.seek(to: lines.readOffset)
                }
                return nil
            }
            lineNumber = n
            if line.isEmpty {
                validLength += 1
                continue
            }
            let place = numberedByPlace ? nextSeq : nil
            if numberedByPlace { nextSeq += 1 }
            do {
                let event = try Self.event(line, path: path, lineNumber: n, place: place)
                try validate(event, lineNumber: n)
                validLength += line.count + 1
                if !numberedByPlace { nextSeq = event.seq &+ 1 }
                return event
            } catch {
                validLength += line.count + 1
                if lenient {
                    warnings.append("line \(n): \(error.message); skipped")
                    continue
                }
                throw error
            }
        }
    }

    /// Reads every remaining event.
    public func readAll() throws(LogError) -> [RunEvent] {
        var out: [RunEvent] = []
        while let e = try next() { out.append(e) }
        return out
    }

    /// Checks `event` against the limits, if any.
    private func validate(_ event: RunEvent, lineNumber: Int) throws(LogError) {
        guard validator != nil else { return }
        do throws(SchemaError) {
            try validator!.check(event)
        } catch {
            throw LogError(path: path, line: lineNumber, message: "not a valid event: \(error.message)")
        }
    }

    /// The next line of `reader`, its errors naming line `number`.
    static func line(_ reader: LogLineReader, number: Int) throws(LogError) -> ArraySlice<UInt8>? {
        do {
            return try reader.nextLine()
        } catch {
            throw LogError(path: error.path, line: number, message: error.message)
        }
    }

    /// The event on one line (without its newline), its errors naming line `lineNumber` of `path`; `place`:
    /// its number in a log whose lines carry none (see `EventCodec.decode(_:place:)`).
    /// Not checked against limits: what a log's reader already checked once (an index reading a window
    /// again) need not be checked twice.
    public static func event(
        _ line: ArraySlice<UInt8>, path: String, lineNumber: Int, place: Int? = nil
    ) throws(LogError) -> RunEvent {
        let v = try parseLine(line, path: path, lineNumber: lineNumber)
        do {
            return try EventCodec.decode(v, place: place)
        } catch {
            throw LogError(path: path, line: lineNumber, message: "not a valid event: \(error.message)")
        }
    }

    private static func parseLine(_ line: ArraySlice<UInt8>, path: String, lineNumber: Int) throws(LogError)
        -> JSONValue
    {
        do {
            return try line.withUnsafeBufferPointer { buf throws(JSONParseError) in try JSONParser.parse(buf) }
        } catch {
            throw LogError(path: path, line: lineNumber, message: "not valid JSON (\(error))")
        }
    }
}
