import ASHA
import Foundation
import RunLog
import TextSafety
import Tuner

/// Prints one line per notable event for headless runs: the start, each new best, the first trial to
/// reach each rung, failures, user actions and the end; and, with `startProgress(every:)`, a progress
/// line at a steady interval, so a log in CI or Slurm tells slow from hung. Every line passes
/// `Console.safe` (the one sanitizer).
/// What it knows about the run (its description, trials' configurations) it reads from its own fold of
/// the events (`RunState`).
final class HeadlessPrinter: EventSink, Sendable {
    /// The printer's fold of the run, and the rungs already announced.
    private struct Seen {
        var state: RunState
        var reached = Set<Rung>()
        /// Wall time (ns) when the latest event arrived; the last progress line's wall time and reports.
        var lastEventWall = CoarseClock.nanoseconds()
        var lastProgressWall = CoarseClock.nanoseconds()
        var lastProgressReports = 0
        /// Progress lines extrapolate the run's time between events (off on the simulated clock).
        var wallClock = true
        var timer: (any DispatchSourceTimer)?
        /// Looks once a second whether the run waits on paused trials alone; whether that was said.
        var idleTimer: (any DispatchSourceTimer)?
        var idleSaid = false
        /// Failure lines printed so far (see `maxFailureLines`).
        var failuresPrinted = 0
    }

    /// Failures printed one line each; after these, one line says the rest are counted, not printed (a
    /// run whose every trial fails would print thousands of the same line).
    static let maxFailureLines = 20

    /// A bracket's rung (a plain pair: no array made per decision).
    private struct Rung: Hashable {
        var bracket: Int
        var rung: Int
    }

    private let seen: Locked<Seen>
    private let write: @Sendable (String) -> Void

    /// `state` is the run's state so far (a resumed run's, whose past is in its log); `write` receives
    /// each line (with its newline), by default on standard output.
    init(
        state: RunState = RunState(),
        write: @escaping @Sendable (String) -> Void = { line in FileHandle.standardOutput.write(Data(line.utf8)) }
    ) {
        self.write = write
        var seen = Seen(state: state)
        // A resumed run's rungs were reached long ago: announce only what is new.
        if let info = state.info {
            for b in info.ladders.indices {
                for k in info.ladders[b].indices { seen.reached.insert(Rung(bracket: b, rung: k)) }
            }
        }
        self.seen = Locked(seen)
    }

    func receive(_ event: RunEvent) {
        seen.withLock { seen in
            seen.state.apply(event)
            seen.lastEventWall = CoarseClock.nanoseconds()
            if !seen.state.waitsOnPausedTrials { seen.idleSaid = false }
            guard let text = Self.line(for: event, &seen) else { return }
            let time = String(format: "%8.2fs", event.time)
            write(Console.safe("[\(time)] \(text)") + "\n")
        }
    }

    /// Prints a progress line every `seconds` of wall time until `stopProgress()` (nothing when
    /// `seconds` is 0 or less). `wallClock` false (the simulated clock): the run's time is the latest
    /// event's.
    func startProgress(every seconds: Double, wallClock: Bool = true) {
        startIdleWatch()
        guard seconds > 0, seconds.isFinite else { return }
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ashb.progress"))
        let ms = Int(seconds * 1000)
        t.schedule(deadline: .now() + .milliseconds(ms), repeating: .milliseconds(ms), leeway: .milliseconds(50))
        t.setEventHandler { [weak self] in self?.progress() }
        seen.withLock { seen in
            seen.wallClock = wallClock
            seen.lastProgressWall = CoarseClock.nanoseconds()
            seen.lastProgressReports = seen.state.reports
            seen.timer = t
        }
        t.resume()
    }

    /// Stops the progress lines (and the idle watch).
    func stopProgress() {
        seen.withLock { seen in
            seen.timer?.cancel()
            seen.timer = nil
            seen.idleTimer?.cancel()
            seen.idleTimer = nil
        }
    }

    /// Once a second: when the run has waited on paused trials alone for a second of wall time (no event
    /// since), says so once (`idleText`), whatever `--progress-every` is; again after the run moved on.
    private func startIdleWatch() {
        let t = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ashb.idle"))
        t.schedule(deadline: .now() + 1, repeating: 1, leeway: .milliseconds(100))
        t.setEventHandler { [weak self] in self?.sayIfIdle() }
        seen.withLock { $0.idleTimer = t }
        t.resume()
    }

    private func sayIfIdle() {
        seen.withLock { seen in
            let quiet = Double(CoarseClock.nanoseconds() &- seen.lastEventWall) / 1e9
            guard seen.idleTimer != nil, !seen.idleSaid, seen.state.waitsOnPausedTrials,
                quiet >= RunState.idleAfterSeconds
            else { return }
            seen.idleSaid = true
            let now = seen.state.time + (seen.wallClock ? quiet : 0)
            write(Console.safe("[\(String(format: "%8.2fs", now))] \(Self.idleText(seen.state, now: now))") + "\n")
        }
    }

    /// "idle: every remaining trial is paused by the user (2: 4, 7); nothing runs until one is resumed
    /// (`ashb-top attach`, then p on it), the run is stopped, or its time budget ends in 2:18"
    static func idleText(_ state: RunState, now: Double) -> String {
        let paused = state.trials.indices.lazy.filter { state.trials[$0].status == .paused }.prefix(10)
        let n = state.count(.paused)
        let ids = paused.map(String.init).joined(separator: ", ") + (n > 10 ? ", …" : "")
        var text =
            "idle: every remaining trial is paused by the user (\(n): \(ids)); nothing runs until one is resumed "
            + "(`ashb-top attach`, then p on it)"
        if let m = state.info?.maxSeconds, m > 0 {
            text +=
                ", the run is stopped, or its time budget ends in \(clock(max(0, m - state.activeSeconds(at: now))))"
        } else {
            text += " or the run is stopped (it has no time budget: it waits until then)"
        }
        return text
    }

    private func progress() {
        seen.withLock { seen in
            guard seen.timer != nil, seen.state.info != nil, seen.state.endReason == nil else { return }
            let wall = CoarseClock.nanoseconds()
            let extra = seen.wallClock && !seen.state.runPaused ? Double(wall &- seen.lastEventWall) / 1e9 : 0
            let now = seen.state.time + extra
            let interval = Double(wall &- seen.lastProgressWall) / 1e9
            let rate = interval > 0 ? Double(seen.state.reports - seen.lastProgressReports) / interval : 0
            seen.lastProgressWall = wall
            seen.lastProgressReports = seen.state.reports
            write("[\(String(format: "%8.2fs", now))] \(Self.progressText(seen.state, now: now, rate: rate))\n")
        }
    }

    /// "progress: trials 120 (run 4, wait 100, done 2, stop 14), 21.5 rep/s, workers 4/4 busy,
    /// budget 40% (time 1:12/3:00), ends in 1:48 (time budget)"
    static func progressText(_ state: RunState, now: Double, rate: Double) -> String {
        let order: [TrialStatus] = [.running, .waiting, .paused, .queued, .completed, .stopped, .killed, .failed]
        let short: [TrialStatus: String] = [
            .running: "run", .waiting: "wait", .paused: "paused", .queued: "queued", .completed: "done",
            .stopped: "stop", .killed: "killed", .failed: "fail",
        ]
        let counts = order.filter { state.count($0) > 0 }.map { "\(short[$0] ?? $0.rawValue) \(state.count($0))" }
        var parts = [
            "trials \(state.trials.count)" + (counts.isEmpty ? "" : " (" + counts.joined(separator: ", ") + ")"),
            String(format: "%.1f rep/s", rate),
            "workers \(state.runningJobs)/\(state.workerLimit) busy",
        ]
        var budgets: [(Double, String)] = []
        var eta: String?
        let active = state.activeSeconds(at: now)
        if let s = state.info?.settings {
            if let m = s.maxTrials, m > 0 {
                budgets.append((Double(state.trials.count) / Double(m), "trials \(state.trials.count)/\(m)"))
            }
            if let m = s.maxTotalResource, m > 0 {
                budgets.append((Double(state.totalResource) / Double(m), "resource \(state.totalResource)/\(m)"))
            }
        }
        if let m = state.info?.maxSeconds, m > 0 {
            budgets.append((active / m, "time \(clock(active))/\(clock(m))"))
            eta = "ends in \(clock(max(0, m - active))) (time budget)"
        }
        if let top = budgets.max(by: { $0.0 < $1.0 }) {
            parts.append("budget \(Int(min(1, top.0) * 100))% (\(top.1))")
        }
        if let m = state.info?.settings.maxTrials, m > 0, state.trials.count >= m, let time = eta {
            // Every trial is sampled: the run ends when their jobs do, the time budget is only a bound.
            eta = "all trials sampled, " + time.replacingOccurrences(of: " (time budget)", with: " at the latest")
        }
        if eta == nil, let m = state.info?.settings.maxTrials, m > state.trials.count, active > 0,
            !state.trials.isEmpty
        {
            let perSecond = Double(state.trials.count) / active
            eta = "sampling ends in ~\(clock(Double(m - state.trials.count) / perSecond)) at this rate"
        }
        if let eta { parts.append(eta) }
        if state.runPaused { parts.append("RUN PAUSED") }
        if state.isIdleOnPausedTrials(now: now) { parts.append("IDLE: every remaining trial is paused") }
        return "progress: " + parts.joined(separator: ", ")
    }

    private static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e9 else { return "-" }
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    private static func line(for event: RunEvent, _ seen: inout Seen) -> String? {
        switch event.body {
        case .runStarted(let i):
            let s = i.settings
            let ladders = i.ladders.map { $0.map(String.init).joined(separator: " ") }.joined(separator: " | ")
            return
                "run started: \(Sanitizer.clean(i.name, maxColumns: 200)) — \(i.objective), \(s.variant.rawValue) ASHA, "
                + "η=\(s.reductionFactor), \(s.brackets) bracket(s), \(i.workers) worker(s), rungs \(ladders)"
        case .decision(let d):
            if d.action == .promote { return nil }
            guard seen.reached.insert(Rung(bracket: d.bracket, rung: d.rung)).inserted else { return nil }
            return "bracket \(d.bracket) rung \(d.rung) (r=\(d.resource)) reached first by trial \(d.trial)"
        case .newBest(let t, let r, let v):
            // A best is judged at the highest resource any rung decision has seen: a best at a higher
            // rung replaces one at a lower rung even when its value is worse.
            let metric = seen.state.info?.metric ?? "value"
            let config = seen.state.trial(t).map { Sanitizer.clean($0.config.description, maxColumns: 160) } ?? ""
            let bracket = seen.state.trial(t)?.bracket ?? 0
            let rung = seen.state.info.flatMap { i in
                i.ladders.indices.contains(bracket) ? i.ladders[bracket].firstIndex(of: r) : nil
            }
            let at = rung.map { "rung \($0) (r=\(r))" } ?? "r=\(r)"
            return "new best: trial \(t) \(metric)=\(formatShort(v)) at \(at), judged at the highest resource "
                + "reached so far  \(config)"
        case .trialFailed(let t, let reason):
            seen.failuresPrinted += 1
            if seen.failuresPrinted == maxFailureLines + 1 {
                return "trial \(t) failed; further failures are not printed (the progress lines and the summary "
                    + "count them; the log has each one's reason)"
            }
            guard seen.failuresPrinted <= maxFailureLines else { return nil }
            return "trial \(t) failed: \(Sanitizer.clean(reason, maxColumns: 5_000))"
        case .trialKilled(let t):
            return "trial \(t) killed by the user"
        case .trialPaused(let t, let by):
            return by == .user ? "trial \(t) paused by the user" : nil
        case .trialResumed(let t, let by):
            return by == .user ? "trial \(t) resumed by the user" : nil
        case .runPaused: return "run paused"
        case .runResumed: return "run resumed"
        case .workersChanged(let n, _): return "workers: \(n)"
        case .message(let t, let text):
            return (t.map { "trial \($0): " } ?? "") + Sanitizer.clean(text, maxColumns: 200)
        case .jobPlaced(let t, _, let p): return "trial \(t): \(Sanitizer.clean(p.text, maxColumns: 200))"
        case .runContinued(let n): return "run resumed from its log after \(n) events"
        case .runEnded(let reason): return "run ended: \(Sanitizer.clean(reason.text, maxColumns: 2_000))"
        default: return nil
        }
    }
}

/// The table printed at the end of a run (and by a headless replay).
func summaryText(_ s: RunSummary, info: RunInfo, logPath: String?) -> String {
    var out = "\n== Summary: \(Sanitizer.clean(info.name, maxColumns: 200)) ==\n"
    if let b = s.best {
        out += "Best trial     \(b.trial): \(info.metric) = \(formatShort(b.value)) at resource \(b.resource)\n"
        for e in b.config.entries {
            out +=
                "  \(Sanitizer.clean(e.name, maxColumns: 40)) = \(Sanitizer.clean(e.value.description, maxColumns: 80))\n"
        }
    } else {
        out += "Best trial     none (no trial reached a rung)\n"
    }
    let order: [TrialStatus] = [.completed, .stopped, .waiting, .running, .paused, .queued, .killed, .failed]
    // Trials still waiting at a rung when the run ended were not promoted (there is nothing pending).
    let counts = order.compactMap { st in
        s.counts[st].map { "\(st == .waiting && s.endReason != nil ? "not promoted" : st.rawValue) \($0)" }
    }
    let total = s.counts.values.reduce(0, +)
    out += "Trials         \(total): " + counts.joined(separator: ", ") + "\n"
    out += "Reports        \(s.reports)\n"
    out += String(format: "Utilization    %.1f%%\n", s.utilization * 100)
    out += String(format: "Time           %.2f s\n", s.seconds)
    out += "Ended          \(Sanitizer.clean(s.endReason ?? "not ended", maxColumns: 200))\n"
    if let logPath { out += "Log            \(logPath)\n" }
    return out
}
