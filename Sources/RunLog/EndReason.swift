/// Why a run ended. The log records it as text (`run_ended`'s `reason`), in the words below; text it
/// does not know (a newer program's, a failure's message) is kept as it is.
public enum EndReason: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// The scheduler has nothing more to do: every trial has ended or waits for a promotion that
    /// cannot come (the budget is spent).
    case finished
    /// The run's wall-time budget (simulated time on the simulated clock) ran out.
    case timeBudget
    /// Nothing runs, nothing can start and nothing waits on the user.
    case nothingLeftToRun
    /// The user quit the dashboard.
    case userQuit
    /// SIGINT (Ctrl-C).
    case interrupted
    /// SIGTERM.
    case terminated
    /// SIGHUP (the terminal went away).
    case hungUp
    /// Anything else, as text (e.g. "dashboard failed: ...").
    case other(String)

    /// The reason that `text` names.
    public init(text: String) {
        switch text {
        case "finished": self = .finished
        case "time budget": self = .timeBudget
        case "nothing left to run": self = .nothingLeftToRun
        case "user quit": self = .userQuit
        case "interrupted (SIGINT)": self = .interrupted
        case "terminated (SIGTERM)": self = .terminated
        case "hung up": self = .hungUp
        default: self = .other(text)
        }
    }

    public init(stringLiteral text: String) { self.init(text: text) }

    /// The reason a signal gives: SIGINT, SIGTERM, SIGHUP (2, 15, 1), else "signal N".
    public init(signal: Int32) {
        switch signal {
        case 2: self = .interrupted
        case 15: self = .terminated
        case 1: self = .hungUp
        case 13: self = .other("output closed (SIGPIPE)")
        default: self = .other("signal \(signal)")
        }
    }

    /// The words the log records and screens show.
    public var text: String {
        switch self {
        case .finished: return "finished"
        case .timeBudget: return "time budget"
        case .nothingLeftToRun: return "nothing left to run"
        case .userQuit: return "user quit"
        case .interrupted: return "interrupted (SIGINT)"
        case .terminated: return "terminated (SIGTERM)"
        case .hungUp: return "hung up"
        case .other(let text): return text
        }
    }

    public var description: String { text }

    /// Whether the run came to its own end (nothing to resume unless the budget grows), rather than
    /// being stopped (by the user, a signal, a failure).
    public var isNaturalEnd: Bool {
        switch self {
        case .finished, .timeBudget, .nothingLeftToRun: return true
        case .userQuit, .interrupted, .terminated, .hungUp, .other: return false
        }
    }
}
