import RunLog

/// Something the user can ask for with a key.
public enum Action: String, Sendable, CaseIterable {
    case moveUp
    case moveDown
    case pageUp
    case pageDown
    case top
    case bottom
    case nextPane
    case previousPane
    case detail
    case pauseTrial
    case killTrial
    case pauseRun
    case moreWorkers
    case fewerWorkers
    case cycleSort
    case sortAscending
    case sortDescending
    case filter
    case freeze
    case help
    case quit
    /// Close this screen and leave the run going in the background (live runs and attached viewers).
    case detach
    case close
    /// Repaint the whole screen (the terminal backend does it).
    case redraw
    // Replay controls (bound in `KeyMap.replay` only; see `ReplayControl`).
    /// Play or pause the replay.
    case playPause
    /// Replay faster.
    case faster
    /// Replay slower.
    case slower
    /// One event forward.
    case stepForward
    /// One event back.
    case stepBack
    /// Just after the next decision about the selected trial.
    case nextDecision
    /// Just after the previous decision about the selected trial.
    case previousDecision
    /// 10 s forward.
    case seekForward
    /// 10 s back.
    case seekBack
    /// 1 min forward.
    case seekForwardMinute
    /// 1 min back.
    case seekBackMinute
    /// The start of the log.
    case seekStart
    /// The end of the log.
    case seekEnd
    /// Type a time or an event number to go to.
    case jumpTo
}

/// A condition a key needs to be enabled; the keymap lists them per binding, and the first one
/// that fails says why the key is disabled.
public enum Requirement: Sendable, Equatable {
    /// Commands can be sent (not a read-only replay).
    case writable
    /// The run has not ended.
    case liveRun
    /// A trial is selected.
    case selectedTrial
    /// The selected trial can still run (not completed, stopped, killed or failed).
    case activeTrial
    /// More than one worker slot (so one can go).
    case spareWorker
    /// This screen can be closed while the run goes on (a live run in its own session, or attached).
    case detachable
}

/// One line of the keymap: which keys do what, whether it is dangerous (asks first), and what it
/// needs to be enabled.
public struct KeyBinding: Sendable {
    /// The keys that trigger the action (the first one is shown in hints).
    public var keys: [Key]
    /// What the keys do.
    public var action: Action
    /// What help says about it.
    public var description: String
    /// Dangerous actions ask for confirmation.
    public var dangerous: Bool
    /// What must hold for the key to work, checked in order.
    public var requires: [Requirement]

    public init(
        _ keys: [Key], _ action: Action, _ description: String, dangerous: Bool = false,
        requires: [Requirement] = []
    ) {
        self.keys = keys
        self.action = action
        self.description = description
        self.dangerous = dangerous
        self.requires = requires
    }

    /// True for keys that send commands to the run (disabled in replay).
    public var actsOnRun: Bool { requires.contains(.writable) }

    /// The keys as help shows them ("K, F9").
    public var keyNames: String { keys.map(\.description).joined(separator: ", ") }
}

/// The keymap as data: help and hints are generated from it, and `action(for:)` reads it.
public struct KeyMap: Sendable {
    /// Every binding, in help order.
    public var bindings: [KeyBinding]

    public init(bindings: [KeyBinding]) { self.bindings = bindings }

    /// The action bound to `key`, if any.
    public func action(for key: Key) -> Action? {
        bindings.first { $0.keys.contains(key) }?.action
    }

    /// The binding of `action`.
    public func binding(_ action: Action) -> KeyBinding? {
        bindings.first { $0.action == action }
    }

    /// The standard keymap (htop/k9s-like).
    public static let standard = KeyMap(bindings: [
        KeyBinding([.up, .char("k")], .moveUp, "move up"),
        KeyBinding([.down, .char("j")], .moveDown, "move down"),
        KeyBinding([.pageUp], .pageUp, "page up"),
        KeyBinding([.pageDown], .pageDown, "page down"),
        KeyBinding([.char("g"), .home], .top, "go to top"),
        KeyBinding([.char("G"), .end], .bottom, "go to bottom"),
        KeyBinding([.tab], .nextPane, "next pane"),
        KeyBinding([.backTab], .previousPane, "previous pane"),
        KeyBinding([.enter], .detail, "trial detail", requires: [.selectedTrial]),
        KeyBinding(
            [.char("p")], .pauseTrial, "pause/resume trial",
            requires: [.writable, .liveRun, .selectedTrial, .activeTrial]),
        KeyBinding(
            [.char("K"), .function(9)], .killTrial, "kill trial", dangerous: true,
            requires: [.writable, .liveRun, .selectedTrial, .activeTrial]),
        KeyBinding([.char("P")], .pauseRun, "pause/resume the run", requires: [.writable, .liveRun]),
        KeyBinding([.char("+"), .char("=")], .moreWorkers, "one more worker", requires: [.writable, .liveRun]),
        KeyBinding(
            [.char("-")], .fewerWorkers, "one fewer worker", requires: [.writable, .liveRun, .spareWorker]),
        KeyBinding([.char("s")], .cycleSort, "cycle sort key"),
        KeyBinding([.char("<")], .sortAscending, "sort ascending"),
        KeyBinding([.char(">")], .sortDescending, "sort descending"),
        KeyBinding([.char("/")], .filter, "filter trials"),
        KeyBinding([.char("f")], .freeze, "freeze the display"),
        KeyBinding([.char("?"), .function(1)], .help, "help"),
        KeyBinding([.char("q"), .function(10)], .quit, "quit, stop the run", dangerous: true),
        KeyBinding(
            [.char("d")], .detach, "detach (the run goes on)", requires: [.liveRun, .detachable]),
        KeyBinding([.ctrl("l")], .redraw, "redraw the screen"),
        KeyBinding([.escape], .close, "close overlay/filter"),
    ])
}

/// What handling a key asks the outside world to do.
public enum Effect: Equatable, Sendable {
    /// Send a command to the tuner.
    case send(Command)
    /// Leave the dashboard.
    case quit
    /// Move the replay (replay keymap only).
    case replay(ReplayControl)
    /// Close the screen and leave the run going.
    case detach
}
