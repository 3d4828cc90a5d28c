import Dashboard
import RunLog

/// A replay's events from a run log: read in batches, optionally followed like `tail -f` (an incomplete
/// last line is kept for later), up to an optional end time.
///
/// It is also the log's index (`ReplayEventSource`): while reading, it notes where every `markInterval`-th
/// event's line starts (its place in the log, its line number and its sequence number) and which lines
/// were skipped, so a timeline can drop the events and read any block of them again from the file.
final class LogReplayFeed: ReplayFeed, ReplayEventSource {
    let reader: LogReader
    let follow: Bool
    /// Events later than this are not replayed.
    let until: Double?
    private(set) var isFinished = false
    /// The error that stopped the reading, if one did.
    private(set) var failure: LogError?
    private var reported = 0
    /// Events between two marks (the timeline's block size).
    let markInterval: Int
    /// `marks[k]`: where event `k * markInterval` is in the log.
    private(set) var marks: [Mark] = []
    /// Lines (by number) that were read but gave no event: skipped by a lenient reading.
    private var skippedLines: Set<Int> = []
    /// Events read.
    private(set) var produced = 0
    /// Reads windows of the log again (opened on first use).
    private var window: LogLineReader?

    /// Where an event's line is in the log.
    struct Mark {
        var position: LogPosition
        var line: Int
        var seq: Int
    }

    init(reader: LogReader, follow: Bool, until: Double?, markInterval: Int = 4096) {
        self.reader = reader
        self.follow = follow
        self.until = until
        self.markInterval = max(1, markInterval)
    }

    var isFollowing: Bool { follow && !isFinished }

    /// The error that stopped the reading, with the log's path and the line, if one did.
    var failureText: String? { failure.map { "\($0)" } }

    func read(limit: Int) throws -> [RunEvent] {
        guard !isFinished else { return [] }
        if let failure {
            isFinished = true
            throw LogLineError(failure)
        }
        var out: [RunEvent] = []
        out.reserveCapacity(min(limit, 1 << 16))
        while out.count < limit {
            let next: RunEvent?
            let start = reader.position
            let lineBefore = reader.lineNumber
            let warningsBefore = reader.warnings.count
            do {
                next = try reader.next(follow: follow)
            } catch {
                // The events before the bad line are returned first; the next call throws.
                failure = error
                if out.isEmpty {
                    isFinished = true
                    throw LogLineError(error)
                }
                break
            }
            guard let event = next else {
                if !follow { isFinished = true }
                break
            }
            if let until, event.time > until {
                isFinished = true
                break
            }
            if reader.warnings.count > warningsBefore, reader.lineNumber > lineBefore + 1 {
                skippedLines.formUnion((lineBefore + 1)..<reader.lineNumber)
            }
            if produced % markInterval == 0 {
                marks.append(Mark(position: start, line: lineBefore + 1, seq: event.seq))
            }
            produced += 1
            out.append(event)
        }
        return out
    }

    /// Events `range` of those read, read again from the log: from the mark at or before the range's
    /// start, skipping the lines the first reading skipped. Throws when the log no longer holds them as
    /// they were read (it was replaced or truncated).
    func events(_ range: Range<Int>) throws -> [RunEvent] {
        let wanted = range.clamped(to: 0..<produced)
        guard !wanted.isEmpty else { return [] }
        let k = wanted.lowerBound / markInterval
        let mark = marks[k]
        guard mark.position.segment == 0 else {
            throw LogError(path: reader.path, line: mark.line, message: "a segmented log cannot be read again yet")
        }
        let lines: LogLineReader
        if let window {
            lines = window
            lines.seek(to: mark.position.offset)
        } else {
            lines = try LogLineReader(path: reader.path, offset: mark.position.offset)
            window = lines
        }
        var out: [RunEvent] = []
        out.reserveCapacity(wanted.count)
        var index = k * markInterval
        var number = mark.line
        while index < wanted.upperBound {
            let line: ArraySlice<UInt8>?
            do {
                line = try lines.nextLine()
            } catch {
                throw LogError(path: error.path, line: number, message: error.message)
            }
            guard let line else {
                throw LogError(path: reader.path, line: number, message: "the log ends before an event read earlier")
            }
            defer { number += 1 }
            if line.isEmpty || skippedLines.contains(number) { continue }
            if index >= wanted.lowerBound || index == k * markInterval {
                let event = try LogReader.event(line, path: reader.path, lineNumber: number)
                if index == k * markInterval, event.seq != mark.seq {
                    throw LogError(
                        path: reader.path, line: number,
                        message: "the log changed since it was read (event \(event.seq))")
                }
                if index >= wanted.lowerBound { out.append(event) }
            }
            index += 1
        }
        return out
    }

    func takeNotices() -> [String] {
        let warnings = reader.warnings
        guard reported < warnings.count else { return [] }
        defer { reported = warnings.count }
        return warnings[reported...].map { "log: \($0)" }
    }
}

/// A log error as the dashboard shows it: the line and the problem, without the (long) path.
struct LogLineError: Error, CustomStringConvertible {
    let error: LogError
    init(_ error: LogError) { self.error = error }
    var description: String { error.line.map { "log: line \($0): \(error.message)" } ?? "log: \(error.message)" }
}
