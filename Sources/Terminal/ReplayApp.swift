import Dashboard
import Dispatch
import Foundation
import RunLog
import TextSafety

/// Plays a recorded run back on the dashboard: the same model, the same screens, fed from the log
/// instead of the tuner, read-only. One thread (the caller's) owns ncurses and loops: read a bounded
/// batch of the log into the timeline (so the first frame shows before the log is read), answer keys,
/// advance the player by the wall time that passed, draw when something changed.
public enum ReplayApp {
    /// The most events read from the log between two looks at the keyboard.
    static let readBudget = 16_384

    /// Runs the replay until the user quits or a signal arrives. `timeline` holds what was read before
    /// (possibly nothing); the rest comes from `feed`. Starts at time 0 (or at the end when following),
    /// playing at `speed` unless `paused`. Throws `TerminalError` (before drawing anything) when there is
    /// no usable terminal. Nothing else may write to stdout or stderr while this runs.
    public static func run(
        timeline: ReplayTimeline, feed: any ReplayFeed, options: DashboardOptions = DashboardOptions(),
        speed: Double = 1, paused: Bool = false
    ) throws -> ExitReason {
        var dashboardOptions = options
        dashboardOptions.readOnly = true
        let session = try DashboardSession(options: dashboardOptions, keyMap: .replay)
        defer { session.close() }
        var player = ReplayPlayer(timeline: timeline, playing: !paused, speed: speed)
        var complete = feed.isFinished
        let following = feed.isFollowing
        if following {
            _ = player.perform(.end, timeline: timeline, trial: nil, complete: complete)
        } else {
            player.seek(to: timeline.position(atTime: 0), timeline: timeline, clock: 0)
        }
        for notice in feed.takeNotices() { notify(session, notice, role: .warning) }
        var frozen: DashboardModel?
        var feedIdle = false
        var shownFailure: String?
        var last = DispatchTime.now().uptimeNanoseconds
        while true {
            if let sig = session.signals.pending { return .signal(sig) }
            let busy = !complete && !feedIdle
            let wait = min(session.waitMilliseconds(busy: busy), player.playing ? 30 : 100)
            let key = session.screen.readKey(milliseconds: wait)
            if !complete {
                do {
                    let batch = try feed.read(limit: readBudget)
                    feedIdle = batch.isEmpty
                    complete = feed.isFinished
                    if !batch.isEmpty || complete {
                        timeline.append(contentsOf: batch)
                        player.timelineGrew(timeline, complete: complete)
                        session.dirty = true
                    }
                } catch {
                    complete = true
                    player.timelineGrew(timeline, complete: true)
                    notify(session, "\(error); the replay ends there", role: .bad)
                }
                for notice in feed.takeNotices() { notify(session, notice, role: .warning) }
            }
            if let key, !session.handleScreenKey(key) {
                let wasFrozen = session.ui.frozen
                let effects = session.ui.handle(key, model: frozen ?? player.model)
                if session.ui.frozen, !wasFrozen { frozen = player.model }
                if !session.ui.frozen { frozen = nil }
                for effect in effects {
                    switch effect {
                    case .quit: return .userQuit
                    case .send, .detach: break  // read-only: the keymap disables every command; no d
                    case .replay(let control):
                        let trial = session.ui.actionTrial(in: player.model)
                        if let feedback = player.perform(control, timeline: timeline, trial: trial, complete: complete)
                        {
                            session.ui.flash = feedback
                        }
                    }
                }
                session.dirty = true
                session.urgent = true
            }
            if let failure = timeline.readFailure, failure != shownFailure {
                shownFailure = failure
                notify(session, "log: \(failure); the replay cannot go past it", role: .bad)
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if player.advance(wallSeconds: Double(now &- last) / 1e9, timeline: timeline, complete: complete) {
                if !session.ui.frozen { session.dirty = true }
            }
            last = now
            let status = player.status(timeline, complete: complete, following: following && !complete)
            if status != session.ui.replay {
                session.ui.replay = status
                session.dirty = true
            }
            session.ui.clock = player.clock
            session.drawIfDue(frozen ?? player.model)
        }
    }

    /// Shows a notice in the messages pane and, until the next key, in the footer.
    private static func notify(_ session: DashboardSession, _ text: String, role: StyleRole) {
        let clean = Sanitizer.clean(text, maxColumns: 200)
        session.ui.notices.append(Message(time: -1, text: clean, role: role))
        if session.ui.notices.count > 50 { session.ui.notices.removeFirst() }
        session.ui.flash = clean
        session.dirty = true
    }
}
