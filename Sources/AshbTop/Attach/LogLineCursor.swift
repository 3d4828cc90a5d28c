import Foundation
import RunLog
import TextSafety

/// Reads a run log's event lines as bytes for a viewer catching up. The log's event lines are the wire
/// format's, or (version 2 and later) the wire format's without their `seq`, so they are sent as they are,
/// without decoding them: a version 1 line's leading `{"seq":N` is read to know where to stop; a later
/// version's event number is its place (the count of non-empty lines after the header, across segments, as
/// `LogReader` numbers them), and `{"seq":N,` is put in front of its members. The lines come from the run
/// log's one line reader (`LogLineReader`): memory is bounded by one read buffer and one line (at most
/// `LogLineReader.maxLineBytes`).
final class LogLineCursor {
    private let lines: LogLineReader
    /// Whether the header was read; then, whether event numbers are places (version 2 and later).
    private var headerRead = false
    private var numberedByPlace = false
    /// The place of the next non-empty line, in a log numbered by place.
    private var place = 0

    /// Opens the log at `path` (its live segment: the chain of segments is read in order).
    init(path: String) throws {
        do {
            lines = try LogLineReader(log: path)
        } catch {
            throw CLIError("cannot open '\(Sanitizer.clean(path, maxColumns: 200))': \(error.message)")
        }
    }

    /// Appends whole event lines (each with its newline, and its `seq`) whose sequence number is at most
    /// `until` to `out`, until `out` holds about `budget` bytes. Returns true when there is nothing more to
    /// copy: the line of event `until` was copied, a later event was met, or the file ended. Lines that are
    /// not events (blank ones; corrupt ones a lenient resume skipped, which in a log numbered by place still
    /// take their number) are passed over.
    func copy(upTo until: Int, into out: inout [UInt8], budget: Int) throws -> Bool {
        while out.count < budget {
            guard let line = try nextLine() else { return true }
            if !headerRead {
                readHeader(line)
                continue
            }
            if numberedByPlace {
                guard !line.isEmpty else { continue }
                let seq = place
                place += 1
                if seq > until { return true }
                if Self.isObjectWithMembers(line) {
                    out.append(contentsOf: #"{"seq":"#.utf8)
                    out.append(contentsOf: String(seq).utf8)
                    out.append(UInt8(ascii: ","))
                    out.append(contentsOf: line.dropFirst())
                    out.append(0x0A)
                }
                if seq == until { return true }
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

    /// Learns from the header line (its `ashb_log` version) how the log numbers its events. The run that
    /// serves this cursor wrote or read the header; a line that says no version is taken as version 1's.
    private func readHeader(_ line: ArraySlice<UInt8>) {
        headerRead = true
        let value = try? line.withUnsafeBufferPointer { buf throws(JSONParseError) in try JSONParser.parse(buf) }
        guard case .number(_, let version?)? = value?["ashb_log"] else { return }
        numberedByPlace = !EventLineFormat.of(version: version, simulated: false).seqOnLine
    }

    /// Whether `line` starts like an object with a member (`{"`): a line of a log numbered by place that can
    /// take a `seq` in front of its members.
    static func isObjectWithMembers(_ line: ArraySlice<UInt8>) -> Bool {
        line.count > 2 && line.starts(with: #"{""#.utf8)
    }

    /// N in a line that starts with `{"seq":N,` (as every event line of a version 1 log), else nil.
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
