import ASHA

/// The panes that take the keyboard focus, in Tab order.
public enum Pane: Int, Sendable, CaseIterable {
    case trials
    case workers
    case rungs
    case messages

    /// The pane's name as its border shows it.
    public var title: String {
        switch self {
        case .trials: "Trials"
        case .workers: "Workers"
        case .rungs: "Rungs"
        case .messages: "Messages"
        }
    }

    /// What the keys do in the pane (the footer says it when Tab brings the focus there).
    public var hint: String {
        switch self {
        case .trials: "j/k move, Enter detail, p pause, K kill"
        case .workers: "j/k a slot, Enter, p and K act on its trial"
        case .rungs: "j/k a rung, Enter lists its trials"
        case .messages: "j/k a message, Enter shows it whole"
        }
    }
}

/// What is drawn over the panes.
public enum Overlay: Equatable, Sendable {
    case help
    case detail(TrialID)
    /// A message of the messages pane, whole.
    case message(Message)
    /// "Kill trial 17 (...)? y/N"
    case confirmKill(TrialID)
    /// "Quit and stop the run? y/N"
    case confirmQuit
}

/// How to draw: glyph set.
public struct RenderOptions: Sendable, Equatable {
    /// ASCII only (no box drawing, blocks or braille).
    public var ascii: Bool

    public init(ascii: Bool = false) { self.ascii = ascii }
}
