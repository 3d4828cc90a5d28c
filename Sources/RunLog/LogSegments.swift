import Foundation

/// How a run log is stored on disk: a chain of segments whose bytes, read in order, are the one log.
///
/// The live segment is `events.jsonl` (the path a run log is known by). When it passes a size, the writer
/// renames it to the next closed segment, `events-000001.jsonl`, `events-000002.jsonl`, ... and starts a
/// new, empty `events.jsonl`; a background compressor then turns each closed segment into
/// `events-NNNNNN.jsonl.zst` (zstd; written to `.zst.tmp`, fsynced, renamed) and only then deletes the plain
/// one. Logs written before zstd have `events-NNNNNN.jsonl.gz` segments, which are still read.
/// The log's header is the first line of the first segment; a segment always ends with a whole line.
/// `zstd -dcf events*.jsonl*` prints the whole log in order (zero-padded numbers sort before `events.jsonl`).
public enum LogSegments {
    /// The live segment's size at which a run's writer closes it, unless `ASHB_LOG_SEGMENT_BYTES` says
    /// otherwise.
    public static let defaultSegmentBytes = 8 << 20
    /// The bounds accepted from `ASHB_LOG_SEGMENT_BYTES` (a test knob: small segments).
    public static let segmentBytesRange = 1024...(1 << 40)

    /// The segment size for a run: `ASHB_LOG_SEGMENT_BYTES` when it is a whole number within
    /// `segmentBytesRange`, else `defaultSegmentBytes`.
    public static func configuredSegmentBytes(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Int
    {
        if let text = environment["ASHB_LOG_SEGMENT_BYTES"], let n = Int(text), segmentBytesRange.contains(n) {
            return n
        }
        return defaultSegmentBytes
    }

    /// The directory and the name stem of a live segment's path (`/r/events.jsonl` -> (`/r`, `events`)).
    static func stem(of live: String) -> (directory: String, stem: String) {
        let slash = live.lastIndex(of: "/")
        let directory = slash.map { String(live[..<$0]) } ?? "."
        var name = slash.map { String(live[live.index(after: $0)...]) } ?? live
        if name.hasSuffix(".jsonl") { name.removeLast(6) }
        return (directory.isEmpty ? "/" : directory, name)
    }

    /// The plain path of closed segment `number` of the log whose live segment is `live`.
    public static func plainPath(live: String, number: Int) -> String {
        let (d, s) = stem(of: live)
        let digits = String(number)
        return d + "/" + s + "-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".jsonl"
    }

    /// The path of closed segment `number` stored in `format`.
    public static func path(live: String, number: Int, format: SegmentFormat) -> String {
        plainPath(live: live, number: number) + format.suffix
    }

    /// The zstd-compressed path of closed segment `number` (what this version writes).
    public static func zstPath(live: String, number: Int) -> String { path(live: live, number: number, format: .zstd) }

    /// The gzip-compressed path of closed segment `number` (written by versions before zstd).
    public static func gzPath(live: String, number: Int) -> String { path(live: live, number: number, format: .gzip) }

    /// Whether any file of closed segment `number` (plain or compressed) exists.
    static func anyFile(live: String, number: Int) -> Bool {
        SegmentFormat.allCases.contains { access(path(live: live, number: number, format: $0), F_OK) == 0 }
    }

    /// Whether a compressed file (`.zst` or `.gz`) of closed segment `number` exists.
    static func compressedExists(live: String, number: Int) -> Bool {
        access(zstPath(live: live, number: number), F_OK) == 0 || access(gzPath(live: live, number: number), F_OK) == 0
    }

    /// A closed segment's number and format, from its file name (nil for any other name, `.tmp` included).
    static func parse(name: String, stem: String) -> (number: Int, format: SegmentFormat)? {
        let prefix = stem + "-"
        guard name.hasPrefix(prefix) else { return nil }
        var rest = Substring(name.dropFirst(prefix.count))
        var found: SegmentFormat?
        for format in [SegmentFormat.zstd, .gzip, .plain] where rest.hasSuffix(".jsonl" + format.suffix) {
            found = format
            rest = rest.dropLast(6 + format.suffix.count)
            break
        }
        guard let format = found, rest.count >= 6, rest.count <= 12, rest.allSatisfy({ $0 >= "0" && $0 <= "9" }),
            let n = Int(rest), n > 0
        else { return nil }
        return (n, format)
    }

    /// The files of one closed segment: which of its plain, zstd and gzip files exist.
    public struct Closed: Sendable, Equatable {
        /// The segment's number, from 1.
        public var number: Int
        /// `events-NNNNNN.jsonl` exists.
        public var plain = false
        /// `events-NNNNNN.jsonl.zst` exists.
        public var zstd = false
        /// `events-NNNNNN.jsonl.gz` exists.
        public var gzip = false
        /// Whether a compressed file (either kind) exists.
        public var compressed: Bool { zstd || gzip }
    }

    /// The closed segments present beside `live`, in order.
    public static func closed(live: String) -> [Closed] {
        let (d, s) = stem(of: live)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: d)) ?? []
        var found: [Int: Closed] = [:]
        for name in names {
            guard let (n, format) = parse(name: name, stem: s) else { continue }
            var entry = found[n] ?? Closed(number: n)
            switch format {
            case .plain: entry.plain = true
            case .zstd: entry.zstd = true
            case .gzip: entry.gzip = true
            }
            found[n] = entry
        }
        return found.keys.sorted().map { found[$0]! }
    }

    /// Whether a log exists at `live`: the live segment, or a first closed segment.
    public static func exists(live: String) -> Bool {
        access(live, F_OK) == 0 || anyFile(live: live, number: 1)
    }
}

/// The bytes of a run log's segment chain in order, as if it were one file: closed segments (the plain file
/// when it is there, else the `.zst`, else the `.gz` of an older version), then the live `events.jsonl`. A
/// reader at the end of the live segment that finds it was rotated away (its path now names another file,
/// and the next closed segment exists) reads the old file to its end and goes on to the new live segment,
/// so a follower misses nothing across a rotation. A path that names a `.zst` or `.gz` file is read as that
/// one file.
public final class LogChainInput {
    /// The live segment's path (the path the log is known by).
    public let livePath: String
    /// The number a segment not yet opened would have: the closed segment being read, or the number the
    /// live segment will take when it is rotated.
    private var number = 1
    /// The highest closed segment number seen when the chain was opened: a lower one that is missing is
    /// an error (a segment deleted by hand), never skipped.
    private let highestClosed: Int
    private var fd: Int32 = -1
    private var decoder: SegmentDecoder?
    private enum Current { case none, closed, live, liveMissing, single }
    private var current = Current.none
    /// Bytes of the segments read before the current one (decompressed).
    public private(set) var bytesBeforeCurrent = 0
    /// Bytes read from the current segment.
    public private(set) var currentBytes = 0
    /// The file of the live segment being read, when the live segment is being read.
    public private(set) var liveIdentity: FileIdentity?
    /// The path of the segment being read (for messages).
    public private(set) var currentPath: String

    /// Whether the live segment (or a lone file) is what is being read now.
    public var readingLive: Bool { current == .live || current == .liveMissing || current == .single }
    /// Whether the live segment does not exist (a crash between a rotation's rename and create).
    public var liveMissing: Bool { current == .liveMissing }

    /// Opens the chain whose live segment is `path`.
    public init(path: String) throws(LogError) {
        livePath = path
        currentPath = path
        if let format = SegmentFormat.compressed(name: path) {
            highestClosed = 0
            try openSingleCompressed(format)
            return
        }
        highestClosed = LogSegments.closed(live: path).last?.number ?? 0
        try advance()
    }

    /// Opens the chain whose live segment is `path` at `position` (as `position(of:)` gave it): segment
    /// `position.segment` (closed, or the live one when that number is not closed yet) from its byte
    /// `position.offset` (a compressed segment is decompressed up to there), then on along the chain.
    /// Offsets then count from the start of that segment.
    public init(path: String, at position: LogPosition) throws(LogError) {
        livePath = path
        currentPath = path
        highestClosed = LogSegments.closed(live: path).last?.number ?? 0
        guard position.segment >= 1, position.segment <= highestClosed + 1, position.offset >= 0 else {
            throw LogError(path: path, line: nil, message: "no \(position) in this run log")
        }
        number = position.segment
        try advance()
        guard number == position.segment else {
            throw LogError(path: path, line: nil, message: "no \(position) in this run log")
        }
        let moved: Int
        if let decoder {
            moved = try decoder.skip(position.offset) ? position.offset : -1
        } else if fd >= 0 {
            moved = Int(lseek(fd, off_t(position.offset), SEEK_SET))
        } else {
            moved = position.offset == 0 ? 0 : -1
        }
        guard moved == position.offset else {
            throw LogError(
                path: currentPath, line: nil, message: "cannot read from \(position): the segment is shorter")
        }
        currentBytes = position.offset
    }

    /// Where the chain's byte `offset` (counted as `read` counts, from where this chain was opened) is: a
    /// segment number (a live segment has the number it will take when closed) and the offset in it. An
    /// offset at a segment's end is given as the start of the next when that one was opened.
    public func position(of offset: Int) -> LogPosition {
        if current == .single { return LogPosition(segment: 0, offset: offset) }
        var found = starts[0]
        for s in starts where s.start <= offset { found = s }
        return LogPosition(segment: found.number, offset: offset - found.start)
    }

    /// Each segment opened: its number and the chain offset of its first byte.
    private var starts: [(number: Int, start: Int)] = []

    deinit { closeCurrent() }

    private func openSingleCompressed(_ format: SegmentFormat) throws(LogError) {
        let f = open(livePath, O_RDONLY | O_CLOEXEC)
        if f < 0 { throw LogError.cannotOpen(livePath) }
        liveIdentity = FileIdentity(fd: f)
        decoder = try SegmentDecoder(fd: f, path: livePath, format: format)
        current = .single
    }

    private func closeCurrent() {
        decoder = nil
        if fd >= 0 { Foundation.close(fd) }
        fd = -1
    }

    /// Opens closed segment `number`: the plain file when it is there, else the `.zst`, else the `.gz`; or
    /// returns false when none exists.
    private func openClosed() throws(LogError) -> Bool {
        for format in [SegmentFormat.plain, .zstd, .gzip] {
            let path = LogSegments.path(live: livePath, number: number, format: format)
            let f = open(path, O_RDONLY | O_CLOEXEC)
            if f < 0 {
                if errno == ENOENT { continue }
                throw LogError(path: path, line: nil, message: String(cString: strerror(errno)))
            }
            if format == .plain {
                fd = f
            } else {
                decoder = try SegmentDecoder(fd: f, path: path, format: format)
            }
            currentPath = path
            current = .closed
            return true
        }
        return false
    }

    /// Moves to segment `number`: a closed one if it exists, else the live one.
    private func advance() throws(LogError) {
        try openSegment()
        if current != .liveMissing, starts.last?.number != number {
            starts.append((number, bytesBeforeCurrent))
        }
    }

    private func openSegment() throws(LogError) {
        while true {
            if try openClosed() { return }
            if number <= highestClosed {
                throw LogError(
                    path: LogSegments.plainPath(live: livePath, number: number), line: nil,
                    message: "this segment of the run log is missing (neither it nor its .zst or .gz exists)")
            }
            let f = open(livePath, O_RDONLY | O_CLOEXEC)
            if f < 0 {
                if errno == ENOENT && number > 1 {
                    current = .liveMissing
                    currentPath = livePath
                    liveIdentity = nil
                    return
                }
                throw LogError.cannotOpen(livePath)
            }
            // Rotated between the look for segment `number` and this open? Then read that segment first.
            let id = FileIdentity(fd: f)
            let plain = LogSegments.plainPath(live: livePath, number: number)
            if let rotated = FileIdentity(path: plain) {
                if rotated == id {
                    fd = f
                    currentPath = plain
                    current = .closed
                    return
                }
                Foundation.close(f)
                continue
            }
            if LogSegments.compressedExists(live: livePath, number: number) {
                Foundation.close(f)
                continue
            }
            fd = f
            currentPath = livePath
            liveIdentity = id
            current = .live
            return
        }
    }

    /// Ends the current segment and opens the next.
    private func next() throws(LogError) {
        closeCurrent()
        bytesBeforeCurrent += currentBytes
        currentBytes = 0
        liveIdentity = nil
        number += 1
        try advance()
    }

    /// Reads up to `count` bytes into `buffer`; 0 at the end of the chain (for now: a live log may grow).
    public func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(LogError) -> Int {
        while true {
            switch current {
            case .none:
                return 0
            case .single:
                let n = try decoder?.read(into: buffer, count: count) ?? 0
                currentBytes += n
                return n
            case .liveMissing:
                // Made after a crash or in the instant of a rotation: look again.
                number -= 1
                try next()
                if current == .liveMissing { return 0 }
            case .closed:
                let n: Int
                if let decoder {
                    n = try decoder.read(into: buffer, count: count)
                } else {
                    n = try readPlain(buffer, count)
                }
                if n > 0 {
                    currentBytes += n
                    return n
                }
                try next()
            case .live:
                let n = try readPlain(buffer, count)
                if n > 0 {
                    currentBytes += n
                    return n
                }
                // At the end: still the live file, or renamed to closed segment `number`?
                if let now = FileIdentity(path: livePath), now == liveIdentity { return 0 }
                let plain = LogSegments.plainPath(live: livePath, number: number)
                guard
                    FileIdentity(path: plain) == liveIdentity
                        || LogSegments.compressedExists(live: livePath, number: number)
                else { return 0 }
                // Rotated: the writer wrote its last bytes before the rename; read them, then go on.
                let rest = try readPlain(buffer, count)
                if rest > 0 {
                    current = .closed
                    currentPath = plain
                    currentBytes += rest
                    return rest
                }
                try next()
            }
        }
    }

    private func readPlain(_ buffer: UnsafeMutableRawPointer, _ count: Int) throws(LogError) -> Int {
        while true {
            let n = Foundation.read(fd, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw LogError(path: currentPath, line: nil, message: "read failed: \(String(cString: strerror(errno)))")
        }
    }
}
