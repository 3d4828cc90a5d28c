import Foundation

/// A place in a run log: a segment of the log (0 for a log that is one file) and a byte offset in it.
///
/// A log may be written as a chain of segments (closed ones possibly compressed); whoever reads it names
/// a line by the segment that holds it and the offset of its first byte there, so an index built over the
/// chain stays valid while segments are added after it.
public struct LogPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Which segment of the log, from 0.
    public var segment: Int
    /// Byte offset in that segment's content.
    public var offset: Int

    public init(segment: Int = 0, offset: Int) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.segment, a.offset) < (b.segment, b.offset)
    }

    public var description: String { segment == 0 ? "byte \(offset)" : "segment \(segment) byte \(offset)" }
}

/// Reads one file line by line with bounded memory: one read buffer and at most one line of
/// `maxLineBytes`. The one read loop of the run log's readers (`LogReader` decodes events, the attach
/// catch-up copies event lines as they are, the replay's index reads windows of lines): reads retry on
/// EINTR, a line longer than the limit is an error, and an incomplete last line stays pending (a writer
/// may still be writing it) until it is completed or the caller calls it torn.
///
/// The reader can start at any offset (a line start found by an index) and be moved with `seek(to:)`.
public final class LogLineReader {
    /// The longest line accepted, in bytes.
    public static let maxLineBytes = 1 << 20
    /// Bytes asked of the file by one read.
    static let chunk = 1 << 18

    /// The file read.
    public let path: String
    /// The file read (device and inode), to check later that the path still names it. For a segment chain:
    /// the live segment's, once it is reached (see `chain`).
    public var fileIdentity: FileIdentity {
        chain.map { $0.liveIdentity ?? FileIdentity(device: 0, inode: 0) } ?? opened
    }
    /// A run log's segment chain read in order (`init(log:)`), or nil for one file.
    public let chain: LogChainInput?
    private let opened: FileIdentity
    /// Byte offset in the file of the next line `nextLine` returns (just past the last complete line).
    public private(set) var offset: Int
    /// Byte offset in the file up to which it was read (at the end of the file: its length when read).
    public private(set) var readOffset: Int
    /// Bytes after the last complete line: an incomplete last line, or 0.
    public var pendingBytes: Int { buffer.count - start }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var seekable = true

    /// Opens `path` for reading from byte `offset` (which should be the start of a line).
    public init(path: String, offset: Int = 0) throws(LogError) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw LogError.cannotOpen(path) }
        opened = FileIdentity(fd: fd)
        chain = nil
        self.offset = max(0, offset)
        readOffset = self.offset
        buffer.reserveCapacity(Self.chunk)
    }

    /// Opens the run log whose live segment is `path` as one stream: its closed segments (compressed or
    /// plain) in order, then the live one, following rotations (see `LogSegments`, `LogChainInput`).
    /// Offsets count bytes from the start of the first segment; `seek` is limited to `readOffset`.
    public init(log path: String) throws(LogError) {
        self.path = path
        fd = -1
        let input = try LogChainInput(path: path)
        chain = input
        opened = FileIdentity(device: 0, inode: 0)
        offset = 0
        readOffset = 0
        buffer.reserveCapacity(Self.chunk)
    }

    /// Opens the run log whose live segment is `path` at `position` (a line start that `position` gave
    /// for it, e.g. kept by an index), reading on along the chain from there. Offsets count from the start
    /// of `position.segment`.
    public init(log path: String, at position: LogPosition) throws(LogError) {
        self.path = path
        fd = -1
        chain = try LogChainInput(path: path, at: position)
        opened = FileIdentity(device: 0, inode: 0)
        offset = position.offset
        readOffset = position.offset
        buffer.reserveCapacity(Self.chunk)
    }

    /// Where the next line starts: for a segment chain, the segment and the offset in it (a live segment
    /// has the number it takes when it is closed); for one file, segment 0.
    public var position: LogPosition { chain?.position(of: offset) ?? LogPosition(offset: offset) }

    deinit { if fd >= 0 { close(fd) } }

    /// Moves to byte `offset` (a line start): what was buffered is dropped. A segment chain is read in
    /// order: there, only `readOffset` (drop what is buffered) is possible.
    public func seek(to offset: Int) {
        precondition(chain == nil || offset == readOffset, "a segment chain is read in order")
        buffer.removeAll(keepingCapacity: true)
        start = 0
        self.offset = max(0, offset)
        readOffset = self.offset
    }

    /// The next complete line, without its newline, or nil when there is none yet (the end of the file;
    /// an incomplete last line stays in `pendingBytes` for a later call). The slice is valid until the next
    /// call. Throws for a line longer than `maxLineBytes` or a failed read (`line` is left nil: the caller
    /// knows which line it asked for).
    public func nextLine() throws(LogError) -> ArraySlice<UInt8>? {
        var scanFrom = start
        while true {
            if let nl = buffer[scanFrom...].firstIndex(of: 0x0A) {
                let line = buffer[start..<nl]
                offset += nl + 1 - start
                start = nl + 1
                if line.count > Self.maxLineBytes {
                    throw LogError(path: path, line: nil, message: "line longer than \(Self.maxLineBytes) bytes")
                }
                return line
            }
            if buffer.count - start > Self.maxLineBytes {
                throw LogError(path: path, line: nil, message: "line longer than \(Self.maxLineBytes) bytes")
            }
            // Compact and read more.
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            scanFrom = buffer.count
            let n = try readMore()
            if n == 0 { return nil }
        }
    }

    /// Reads up to one chunk at `readOffset` onto the end of the buffer; returns the bytes read (0 at the end).
    private func readMore() throws(LogError) -> Int {
        let chunk = Self.chunk
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        var n = -1
        if let chain {
            let result = buffer.withUnsafeMutableBytes { raw in
                Result { () throws(LogError) in try chain.read(into: raw.baseAddress! + old, count: chunk) }
            }
            switch result {
            case .success(let count):
                buffer.removeLast(chunk - count)
                readOffset += count
                return count
            case .failure(let error):
                buffer.removeLast(chunk)
                throw error
            }
        }
        while true {
            n = buffer.withUnsafeMutableBytes { raw in
                seekable
                    ? pread(fd, raw.baseAddress! + old, chunk, off_t(readOffset))
                    : read(fd, raw.baseAddress! + old, chunk)
            }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == ESPIPE, seekable {
                seekable = false  // a pipe: read it in order (seek is not possible)
                continue
            }
            break
        }
        let failure = errno
        buffer.removeLast(chunk - max(0, n))
        if n < 0 {
            throw LogError(path: path, line: nil, message: "read failed: \(String(cString: strerror(failure)))")
        }
        readOffset += n
        return n
    }
}
