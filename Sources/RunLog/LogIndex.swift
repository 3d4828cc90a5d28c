/// An index of a run log's events, built while the log is read once: where every `interval`-th event's
/// line starts (its place in the log, its line number and its sequence number) and which lines gave no
/// event (skipped by a lenient reading), so any run of events can be read again from the file later
/// without keeping them in memory. It costs about 40 bytes per `interval` events.
///
/// A place is a `LogPosition` (segment and offset), so an index can span a log written as a chain of
/// segments (segment 0: one file read by offset; from 1: a run log's segment chain, re-opened at the mark).
public final class LogIndex {
    /// The log's path.
    public let path: String
    /// Events between two marks.
    public let interval: Int
    /// `marks[k]`: where event `k * interval` is in the log.
    public private(set) var marks: [Mark] = []
    /// Events indexed.
    public private(set) var count = 0
    /// Lines (by number) that were read but gave no event: skipped by a lenient reading.
    private var skippedLines: Set<Int> = []
    /// Reads windows of the log again (opened on first use).
    private var window: LogLineReader?
    /// Whether the log numbers its events by place (version 2), not by the `seq` on each line.
    private var numberedByPlace = false

    /// Where an event's line is in the log.
    public struct Mark: Sendable, Equatable {
        public var position: LogPosition
        public var line: Int
        public var seq: Int
        /// The event's time: a version 2 log's `seq` is the line's place, so the time tells a changed log.
        public var time: Double
    }

    /// An empty index of the log at `path`, a mark every `interval` events.
    public init(path: String, interval: Int = 4096) {
        self.path = path
        self.interval = max(1, interval)
    }

    /// The next event of `reader` (as `reader.next(follow:)`), indexed as event number `count`. Every
    /// event `reader` gives must come through here for the numbers to hold.
    public func next(from reader: LogReader, follow: Bool = false) throws(LogError) -> RunEvent? {
        let start = reader.position
        let lineBefore = reader.lineNumber
        let warningsBefore = reader.warnings.count
        let event = try reader.next(follow: follow)
        if reader.warnings.count > warningsBefore, reader.lineNumber > lineBefore + 1 {
            let last = event == nil ? reader.lineNumber + 1 : reader.lineNumber
            skippedLines.formUnion((lineBefore + 1)..<last)
        }
        guard let event else { return nil }
        numberedByPlace = !reader.header.lineFormat.seqOnLine
        if count % interval == 0 {
            marks.append(Mark(position: start, line: lineBefore + 1, seq: event.seq, time: event.time))
        }
        count += 1
        return event
    }

    /// Events `range` of those indexed, read again from the log: from the mark at or before the range's
    /// start, skipping the lines the first reading skipped. Throws when the log no longer holds them as
    /// they were read (it was replaced or truncated), naming the line.
    public func events(_ range: Range<Int>) throws(LogError) -> [RunEvent] {
        let wanted = range.clamped(to: 0..<count)
        guard !wanted.isEmpty else { return [] }
        let k = wanted.lowerBound / interval
        let mark = marks[k]
        let lines: LogLineReader
        if mark.position.segment != 0 {
            // A log read as a segment chain (see `LogSegments`): open it at the mark's segment (plain,
            // compressed or live) and read on along the chain.
            lines = try LogLineReader(log: path, at: mark.position)
        } else if let window {
            lines = window
            lines.seek(to: mark.position.offset)
        } else {
            lines = try LogLineReader(path: path, offset: mark.position.offset)
            window = lines
        }
        var out: [RunEvent] = []
        out.reserveCapacity(wanted.count)
        var index = k * interval
        var number = mark.line
        var place = mark.seq  // the next event's number, in a log numbered by place
        while index < wanted.upperBound {
            guard let line = try LogReader.line(lines, number: number) else {
                throw LogError(path: path, line: number, message: "the log ends before an event read earlier")
            }
            defer { number += 1 }
            if line.isEmpty { continue }
            defer { place += 1 }
            if skippedLines.contains(number) { continue }
            if index >= wanted.lowerBound || index == k * interval {
                let event = try LogReader.event(
                    line, path: path, lineNumber: number, place: numberedByPlace ? place : nil)
                if index == k * interval, event.seq != mark.seq || event.time.bitPattern != mark.time.bitPattern {
                    throw LogError(
                        path: path, line: number, message: "the log changed since it was read (event \(event.seq))")
                }
                if index >= wanted.lowerBound { out.append(event) }
            }
            index += 1
        }
        return out
    }
}
