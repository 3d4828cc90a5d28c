import ASHA

/// The panes that take the keyboard focus, in Tab order.
public enum Pane: Int, Sendable, CaseIterable {
    case trials
    case workers
    case rungs
    case messages
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
