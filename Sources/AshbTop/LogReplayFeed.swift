import Dashboard
import RunLog

/// A replay's events from a run log: read in batches, optionally followed like `tail -f` (an incomplete
/// last line is kept for later), up to an optional end time.
///
/// It also indexes the log (`index`) as it reads it, so a timeline can drop the events and read any
/// block of them again from the file.
final class LogReplayFeed: ReplayFeed {
    let reader: LogReader
    let follow: Bool
    /// Events later than this are not replayed.
    let until: Double?
    private(set) var isFinished = false
    /// The error that stopped the reading, if one did.
    private(set) var failure: LogError?
    private var reported = 0
    /// Where the events read are in the log.
    let index: LogIndex
    /// Events between two marks of the index (the timeline's block size).
    var markInterval: Int { index.interval }

    init(reader: LogReader, follow: Bool, until: Double?, markInterval: Int = 4096) {
        self.reader = reader
        self.follow = follow
        self.until = until
        index = LogIndex(path: reader.path, interval: markInterval)
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
            do {
                next = try index.next(from: reader, follow: follow)
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
            out.append(event)
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
