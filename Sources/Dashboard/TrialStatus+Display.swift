import RunLog

/// How the dashboard shows, counts and sorts the shared `TrialStatus` (from RunLog).
extension TrialStatus {
    /// The statuses in the order the header, help and the status sort use: running first.
    public static let displayOrder: [TrialStatus] = [
        .running, .queued, .waiting, .paused, .completed, .stopped, .killed, .failed,
    ]

    /// The position in `displayOrder` (0..<8): the index of per-status counters and the sort key.
    public var order: Int {
        switch self {
        case .running: return 0
        case .queued: return 1
        case .waiting: return 2
        case .paused: return 3
        case .completed: return 4
        case .stopped: return 5
        case .killed: return 6
        case .failed: return 7
        }
    }

    /// The word shown on screen and matched by the filter.
    public var name: String { rawValue }

    /// A short label for narrow columns and the header.
    public var shortName: String {
        switch self {
        case .running: return "run"
        case .queued: return "queue"
        case .waiting: return "wait"
        case .paused: return "pause"
        case .completed: return "done"
        case .stopped: return "stop"
        case .killed: return "kill"
        case .failed: return "fail"
        }
    }

    /// A glyph that carries the status without colour (UTF-8 or ASCII).
    public func glyph(ascii: Bool) -> Character {
        switch self {
        case .running: return ascii ? ">" : "▶"
        case .queued: return ascii ? "~" : "·"
        case .waiting: return ascii ? "." : "…"
        case .paused: return ascii ? "=" : "‖"
        case .completed: return ascii ? "+" : "✓"
        case .stopped: return ascii ? "-" : "■"
        case .killed: return ascii ? "x" : "✗"
        case .failed: return "!"
        }
    }

    /// The style role of the status.
    public var role: StyleRole {
        switch self {
        case .running: return .good
        case .queued, .waiting: return .normal
        case .paused: return .warning
        case .completed: return .good
        case .stopped: return .dim
        case .killed, .failed: return .bad
        }
    }

    /// True when the trial can never run again.
    public var isFinal: Bool {
        switch self {
        case .completed, .stopped, .killed, .failed: return true
        default: return false
        }
    }
}
