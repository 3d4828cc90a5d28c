import Foundation
import RunLog
import TextSafety

/// Reads a run log's event lines as bytes for a viewer catching up. The log's event lines are the wire
/// format's, so they are sent as they are, without decoding them: only the leading `{"seq":N` is read, to
/// know where to stop. The lines come from the run log's one line reader (`LogLineReader`): memory is
/// bounded by one read buffer and one line (at most `LogLineReader.maxLineBytes`).
final class LogLineCursor {
    private let lines: LogLineReader
    private var headerSkipped = false

    /// Opens the log at `path` (its live segment: the chain of segments is read in order).
    init(path: String) throws {
        do {
            lines = try LogLineReader(log: path)
        } catch {
            throw CLIError("cannot open '\(Sanitizer.clean(path, maxColumns: 200))': \(error.message)")
        }
    }

    /// Appends whole event lines (each with its newline) whose sequence number is at most `until` to `out`,
    /// until `out` holds about `budget` bytes. Returns true when there is nothing more to copy: the line of
    /// event `until` was copied, a later event was met, or the file ended. Lines that are not events (the
    /// header, blank or corrupt lines a lenient resume skipped) are passed over.
    func copy(upTo until: Int, into out: inout [UInt8], budget: Int) throws -> Bool {
        while out.count < budget {
            guard let line = try nextLine() else { return true }
            if !headerSkipped {
                headerSkipped = true
                continue
            }
            guard let seq = Self.sequenceNumber(line) else { continue }
            if seq > until { return true }
            out.append(contentsOf: line)
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

    /// The next complete line (without its newline), or nil at the end of the file.
    private func nextLine() throws -> ArraySlice<UInt8>? {
        do {
            return try lines.nextLine()
        } catch {
            throw CLIError("\(Sanitizer.clean(error.path, maxColumns: 200)): \(error.message)")
        }
    }
}
