/// Where a trial is in its life, as the dashboard folds it from events.
public enum TrialStatus: Int, Sendable, CaseIterable, Comparable {
    /// A job is training it on a worker.
    case running
    /// Sampled, promoted or resumed, and waiting for a worker.
    case queued
    /// Promotion variant: its job ended at a rung and it waits to be promoted.
    case waiting
    /// Paused (by the user or the tuner); it keeps its state.
    case paused
    /// It reached the maximum resource.
    case completed
    /// The scheduler stopped it at a rung.
    case stopped
    /// The user killed it.
    case killed
    /// It failed (error, non-finite metric, time limit).
    case failed

    /// The word shown on screen and matched by the filter.
    public var name: String {
        switch self {
        case .running: return "running"
        case .queued: return "queued"
        case .waiting: return "waiting"
        case .paused: return "paused"
        case .completed: return "completed"
        case .stopped: return "stopped"
        case .killed: return "killed"
        case .failed: return "failed"
        }
    }

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

    /// Orders statuses as listed (running first).
    public static func < (a: TrialStatus, b: TrialStatus) -> Bool { a.rawValue < b.rawValue }
}
