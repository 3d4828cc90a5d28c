import Dashboard
import RunLog

/// A replay's events from a run log: read in batches, optionally followed like `tail -f` (an incomplete
/// last line is kept for later), up to an optional end time.
final class LogReplayFeed: ReplayFeed {
    let reader: LogReader
    let follow: Bool
    /// Events later than this are not replayed.
    let until: Double?
    private(set) var isFinished = false
    private var reported = 0

    init(reader: LogReader, follow: Bool, until: Double?) {
        self.reader = reader
        self.follow = follow
        self.until = until
    }

    var isFollowing: Bool { follow && !isFinished }

    func read(limit: Int) throws -> [RunEvent] {
        guard !isFinished else { return [] }
        var out: [RunEvent] = []
        out.reserveCapacity(min(limit, 1 << 16))
        while out.count < limit {
            guard let event = try reader.next(follow: follow) else {
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
