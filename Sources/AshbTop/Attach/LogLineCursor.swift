import Foundation
import RunLog
import TextSafety

/// Reads a run log's event lines as bytes for a viewer catching up. The log's event lines are the wire
/// format's, so they are sent as they are, without decoding them: only the leading `{"seq":N` is read, to
/// know where to stop. Memory is bounded: one read buffer and one line (at most `LogReader.maxLineBytes`).
final class LogLineCursor {
    private let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var headerSkipped = false

    /// Opens the log at `path`.
    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CLIError(
                "cannot open '\(Sanitizer.clean(path, maxColumns: 200))': \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(1 << 18)
    }

    deinit { close(fd) }

    /// Appends whole event lines (each with its newline) whose sequence number is at most `until` to `out`,
    /// until `out` holds about `budget` bytes. Returns true when there is nothing more to copy: the line of
    /// event `until` was copied, a later event was met, or the file ended. Lines that are not events (the
    /// header, blank or corrupt lines a lenient resume skipped) are passed over.
    func copy(upTo until: Int, into out: inout [UInt8], budget: Int) throws -> Bool {
        while out.count < budget {
            guard let (from, to) = try nextLine() else { return true }
            if !headerSkipped {
                headerSkipped = true
                continue
            }
            guard let seq = Self.sequenceNumber(buffer[from..<to]) else { continue }
            if seq > until { return true }
            out.append(contentsOf: buffer[from..<to])
            out.append(0x0A)
            if seq == until { return true }
        }
        return false
    }

    /// N in a line that starts with `{"seq":N,` (as every event line the log writer writes), else nil.
    static func sequenceNumber(_ line: ArraySlice<UInt8>) -> Int? {
        let prefix = Array(#"{"seq":"#.utf8)
        guard line.count > prefix.count, line.starts(with: prefix) else { return nil }
        var n = 0
        var digits = 0
        for b in line.dropFirst(prefix.count) {
            if b == UInt8(ascii: ",") { return digits > 0 ? n : nil }
            guard b >= 0x30, b <= 0x39, digits < 18 else { return nil }
            n = n * 10 + Int(b - 0x30)
            digits += 1
        }
        return nil
    }

    /// The bounds in `buffer` of the next complete line (without its newline), or nil at the end of the file.
    private func nextLine() throws -> (Int, Int)? {
        var scanFrom = start
        while true {
            if let nl = buffer[scanFrom...].firstIndex(of: 0x0A) {
                let line = (start, nl)
                start = nl + 1
                return line
            }
            if buffer.count - start > LogReader.maxLineBytes {
                throw CLIError(
                    "\(Sanitizer.clean(path, maxColumns: 200)): a line longer than \(LogReader.maxLineBytes) bytes")
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            scanFrom = buffer.count
            let chunk = 1 << 18
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: chunk))
            let n = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + old, chunk) }
            buffer.removeLast(chunk - max(0, n))
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError(
                    "cannot read '\(Sanitizer.clean(path, maxColumns: 200))': \(String(cString: strerror(errno)))")
            }
            if n == 0 { return nil }
        }
    }
}
