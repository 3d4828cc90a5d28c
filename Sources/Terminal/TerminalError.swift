/// Why the dashboard could not take the terminal. Thrown before anything is drawn.
public enum TerminalError: Error, Equatable, CustomStringConvertible {
    /// Standard input or output is not a terminal.
    case notATerminal
    /// TERM is unset, "dumb", or unknown to terminfo.
    case unsupportedTerminal(String?)
    /// ncurses refused to start.
    case initializationFailed(String)

    /// A message for the user, suggesting --headless.
    public var description: String {
        switch self {
        case .notATerminal: return problem + "; use --headless to run without it"
        case .unsupportedTerminal: return problem + " or use --headless"
        case .initializationFailed: return problem + "; use --headless"
        }
    }

    /// The message without the --headless suggestion, for commands that have no --headless (`attach`).
    public var problem: String {
        switch self {
        case .notATerminal:
            return "the dashboard needs a terminal on standard input and output"
        case .unsupportedTerminal(let term):
            let name = term.map { "TERM=\($0)" } ?? "TERM is not set"
            return "\(name): not a terminal the dashboard can draw on; set TERM (e.g. xterm-256color)"
        case .initializationFailed(let why):
            return "could not start the dashboard (\(why))"
        }
    }
}
