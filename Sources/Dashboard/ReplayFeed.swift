import RunLog

/// Where a replay's events come from: a run log read in pieces, or followed while another process
/// writes it. The replay loop reads a bounded batch each turn, so the first frame shows at once and
/// keys stay answered while a long log is read.
public protocol ReplayFeed: AnyObject {
    /// Up to `limit` more events, in log order; empty when none is available now. Throws when the log
    /// cannot be read further (what was read before stays valid).
    func read(limit: Int) throws -> [RunEvent]
    /// True when no more events will come (the end was read and the log is not followed, or the replay's
    /// end time has passed).
    var isFinished: Bool { get }
    /// True while following a log that another process may still be writing.
    var isFollowing: Bool { get }
    /// Notices about the log (a torn last line, a skipped line) since the last call, one line each.
    func takeNotices() -> [String]
}
