import Dashboard
import Dispatch
import Foundation
import RunLog

/// How the live dashboard behaves.
public struct DashboardOptions: Sendable {
    /// Draw ASCII only (also forced when the locale is not UTF-8).
    public var ascii: Bool
    /// No colours (also when the NO_COLOR environment variable is set and not empty).
    public var noColor: Bool
    /// Replay: commands that act on the run are disabled.
    public var readOnly: Bool
    /// The most frames drawn per second.
    public var framesPerSecond: Int
    /// Leave the loop by itself once the run has ended (else wait for q).
    public var exitWhenEnded: Bool
    /// `d` closes the screen and leaves the run going (`ExitReason.detached`).
    public var canDetach = false
    /// The last lines a trial's program wrote to its standard error (a command's `stderr.log`), shown
    /// in the trial's detail view and read again every second while it is open; nil: none.
    public var trialOutput: (@Sendable (Int) -> [String])?
    /// The run's time now when it is known from elsewhere than its events (an attached viewer: the run's
    /// hello), so the elapsed time keeps up with an idle run; nil: the latest event's time plus the wall
    /// time since it was folded.
    public var runClock: (@Sendable () -> Double?)?

    public init(
        ascii: Bool = false, noColor: Bool = false, readOnly: Bool = false, framesPerSecond: Int = 15,
        exitWhenEnded: Bool = false, trialOutput: (@Sendable (Int) -> [String])? = nil, canDetach: Bool = false
    ) {
        self.canDetach = canDetach
        self.ascii = ascii
        self.noColor = noColor
        self.readOnly = readOnly
        self.framesPerSecond = framesPerSecond
        self.exitWhenEnded = exitWhenEnded
        self.trialOutput = trialOutput
    }
}

/// Why the dashboard loop returned.
public enum ExitReason: Equatable, Sendable {
    /// The user quit (after `.stopRun` was sent for a live run).
    case userQuit
    /// The run ended and `exitWhenEnded` was set.
    case runEnded
    /// A signal arrived (2 SIGINT, 15 SIGTERM, 1 SIGHUP); the terminal is already restored.
    case signal(Int32)
    /// The user detached (`d`): the screen is closed, the run goes on; nothing was sent to it.
    case detached

    /// The conventional process exit status: 0, or 128 + the signal (130, 143, 129).
    public var exitStatus: Int32 {
        if case .signal(let s) = self { return 128 + s }
        return 0
    }
}

/// The live dashboard: one thread (the caller's) owns ncurses and loops — wait for a key with a
/// timeout, drain the inbox, fold, draw at most `framesPerSecond` frames a second and only when
/// something changed, poll for signals.
public enum DashboardApp {
    /// The most events folded between two looks at the keyboard.
    static let foldBudget = 20_000

    /// Checks, without drawing anything, that the dashboard can take this terminal: standard input
    /// and output are a terminal, TERM is set, not "dumb", and known to terminfo. Call it before
    /// starting a run to choose between the dashboard and headless output.
    public static func checkTerminal() throws(TerminalError) {
        _ = try TerminalScreen.check()
    }

    /// Runs the dashboard until the user quits or a signal arrives. Blocks the calling thread.
    /// Commands from keys go to `send`. Throws `TerminalError` (before drawing anything) when there
    /// is no usable terminal. Nothing else may write to stdout or stderr while this runs.
    public static func run(
        inbox: EventInbox, send: @Sendable (Command) -> Void, options: DashboardOptions = DashboardOptions(),
        model initial: DashboardModel = DashboardModel()
    ) throws -> ExitReason {
        let session = try DashboardSession(options: options)
        defer { session.close() }
        session.ui.detachable = options.canDetach
        var model = initial
        // The snapshot shown while the display is frozen.
        var frozen: DashboardModel?
        var backlog: [RunEvent] = []
        var backlogHead = 0
        var lastFold = DispatchTime.now().uptimeNanoseconds
        // Whose output the detail view shows, and when it was read.
        var outputTrial: Int?
        var outputReadAt: UInt64 = 0
        while true {
            if let sig = session.signals.pending { return .signal(sig) }
            // Catching up: only peek at the keyboard. Something to show: wait for the next frame slot.
            // Else: wait for a key, looking at the inbox ten times a second.
            let key = session.screen.readKey(milliseconds: session.waitMilliseconds(busy: backlogHead < backlog.count))
            // Fold what arrived, at most `foldBudget` events a turn, so keys stay answered while a
            // large backlog (a burst) is caught up.
            if backlogHead == backlog.count {
                backlog = inbox.drain()
                backlogHead = 0
            }
            let end = min(backlog.count, backlogHead + Self.foldBudget)
            for i in backlogHead..<end { model.apply(backlog[i]) }
            if end > backlogHead {
                lastFold = DispatchTime.now().uptimeNanoseconds
                if !session.ui.frozen { session.dirty = true }
            }
            backlogHead = end
            // Let the elapsed time and job ages tick between events (live runs only).
            if !options.readOnly, !session.ui.frozen, !model.isEnded, model.eventCount > 0 {
                var clock = model.elapsed + Double(DispatchTime.now().uptimeNanoseconds &- lastFold) / 1e9
                if let runClock = options.runClock?() { clock = max(clock, runClock) }
                if Int(clock) != Int(session.ui.clock ?? -1) { session.dirty = true }
                session.ui.clock = clock
            } else if model.isEnded {
                session.ui.clock = nil
            }
            if let key, !session.handleScreenKey(key) {
                let wasFrozen = session.ui.frozen
                let effects = session.ui.handle(key, model: frozen ?? model)
                if session.ui.frozen, !wasFrozen { frozen = model }
                if !session.ui.frozen { frozen = nil }
                for effect in effects {
                    switch effect {
                    case .send(let command): send(command)
                    case .quit: return .userQuit
                    case .replay: break  // not bound in a live run
                    case .detach: if options.canDetach { return .detached }
                    }
                }
                session.dirty = true
                session.urgent = true
            }
            if let read = options.trialOutput, case .detail(let id)? = session.ui.overlay {
                let now = DispatchTime.now().uptimeNanoseconds
                if id != outputTrial || now &- outputReadAt > 1_000_000_000 {
                    let lines = read(id)
                    if lines != session.ui.detailOutput || id != outputTrial { session.dirty = true }
                    session.ui.detailOutput = lines
                    outputTrial = id
                    outputReadAt = now
                }
            } else if outputTrial != nil {
                outputTrial = nil
                session.ui.detailOutput = []
            }
            if options.exitWhenEnded, model.isEnded { return .runEnded }
            session.drawIfDue(frozen ?? model)
        }
    }
}
