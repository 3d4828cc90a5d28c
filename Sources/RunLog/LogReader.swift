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
}

/// Which file a path named when it was opened: two opens of one file have the same identity.
public struct FileIdentity: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }
}

/// Streams a run log line by line with bounded memory (one read buffer and one line at a time).
///
/// Untrusted input: a line longer than `maxLineBytes` or not valid JSON, or not a valid event, is an
/// error naming its line number (with `lenient`, it is skipped and a warning kept instead); an
/// incomplete last line (a torn write) is ignored with a warning; a newer schema version is refused.
public final class LogReader {
    /// The longest line accepted, in bytes.
    public static let maxLineBytes = 1 << 20

    public let path: String
    public let header: LogHeader
    /// Warnings about lines that were skipped or ignored, each naming its line.
    public private(set) var warnings: [String] = []
    /// The number of the last line read (the header is line 1).
    public private(set) var lineNumber = 0
    /// Byte length of the complete lines read so far: where a resumed run may append.
    public private(set) var validLength = 0

    /// Bytes read from the log so far, over all its segments.
    public private(set) var bytesRead = 0
    /// The log's segment chain (see `LogSegments`): `path` names the live segment.
    private let input: LogChainInput
    /// The live segment read (device and inode), to check later that the path still names it; nil before
    /// the live segment is reached, or when it does not exist (see `LogChainInput.liveMissing`).
    public var fileIdentity: FileIdentity? { input.liveIdentity }
    /// Whether the chain ended without a live segment (a crash between a rotation's rename and create).
    public var liveMissing: Bool { input.liveMissing }
    /// Bytes read from the live segment so far (at its end: its length when it was read).
    public var liveBytesRead: Int { input.readingLive ? input.currentBytes : 0 }
    /// Byte length of the live segment's complete lines read so far: where a resumed run may append.
    public var liveValidLength: Int { validLength - input.bytesBeforeCurrent }

    /// Every event is checked against these limits (by default those of any spec: 512 workers, and the
    /// ladders of the log's own `run_started`); one outside them is an error naming its line (or, with
    /// `lenient`, skipped with a warning). A resume sets its spec's; set them before the first event.
    public var limits: LogLimits? = LogLimits() {
        didSet { validator = limits.map(LogValidator.init) }
    }
    private var validator: LogValidator? = LogValidator(LogLimits())

    private let lenient: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEOF = false

    /// Opens `path` and reads its header.
    public init(path: String, lenient: Bool = false) throws(LogError) {
        self.path = path
        self.lenient = lenient
        input = try LogChainInput(path: path)
        buffer.reserveCapacity(1 << 20)
        // Read the header with the same line machinery.
        guard
            let line = try Self.nextLine(
                input, &buffer, &start, &atEOF, &bytesRead, follow: false, path: path, lineNumber: 1)
        else {
            throw LogError(path: path, line: nil, message: "the file is empty: not an ashb-top run log")
        }
        let headerValue = try Self.parseLine(line, path: path, lineNumber: 1)
        lineNumber = 1
        validLength = line.count + 1
        do {
            header = try LogHeader.decode(headerValue)
        } catch {
            throw LogError(path: path, line: 1, message: error.message)
        }
    }

    /// The next event; nil at the end of the file. With `follow`, an incomplete last line is kept for a
    /// later call (the writer may still be writing it) instead of being reported as torn.
    public func next(follow: Bool = false) throws(LogError) -> RunEvent? {
        while true {
            let n = lineNumber + 1
            guard
                let line = try Self.nextLine(
                    input, &buffer, &start, &atEOF, &bytesRead, follow: follow, path: path, lineNumber: n)
            else {
                if !follow && start < buffer.count {
                    warnings.append("line \(n) is incomplete (a torn write at a crash?); ignored")
                    start = buffer.count
                }
                return nil
            }
            lineNumber = n
            if line.isEmpty {
                validLength += 1
                continue
            }
            do {
                let v = try Self.parseLine(line, path: path, lineNumber: n)
                let event = try Self.decodeEvent(v, path: path, lineNumber: n)
                try validate(event, lineNumber: n)
                validLength += line.count + 1
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

    private static func decodeEvent(_ v: JSONValue, path: String, lineNumber: Int) throws(LogError) -> RunEvent {
        do {
            return try EventCodec.decode(v)
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

    /// The next complete line (without its newline), or nil when no complete line is available.
    private static func nextLine(
        _ input: LogChainInput, _ buffer: inout [UInt8], _ start: inout Int, _ atEOF: inout Bool, _ bytesRead: inout Int,
        follow: Bool, path: String,
        lineNumber: Int
    ) throws(LogError) -> ArraySlice<UInt8>? {
        var scanFrom = start
        while true {
            if let nl = buffer[scanFrom...].firstIndex(of: 0x0A) {
                let line = buffer[start..<nl]
                start = nl + 1
                if line.count > maxLineBytes {
                    throw LogError(path: path, line: lineNumber, message: "line longer than \(maxLineBytes) bytes")
                }
                return line
            }
            if buffer.count - start > maxLineBytes {
                throw LogError(path: path, line: lineNumber, message: "line longer than \(maxLineBytes) bytes")
            }
            // Compact and read more.
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            scanFrom = buffer.count
            let chunk = 1 << 18
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: chunk))
            let result = buffer.withUnsafeMutableBytes { raw in
                Result { () throws(LogError) in try input.read(into: raw.baseAddress! + old, count: chunk) }
            }
            let n: Int
            switch result {
            case .success(let count): n = count
            case .failure(let error):
                buffer.removeLast(chunk)
                throw LogError(path: error.path, line: lineNumber, message: error.message)
            }
            buffer.removeLast(chunk - n)
            bytesRead += n
            if n == 0 {
                atEOF = true
                return nil
            }
            _ = follow
        }
    }
}
