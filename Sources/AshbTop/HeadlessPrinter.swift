import ASHA
import Foundation
import RunLog
import TextSafety
import Tuner

/// Prints one line per notable event for headless runs: the start, each new best, the first trial to
/// reach each rung, failures, user actions and the end; and, with `startProgress(every:)`, a progress
/// line at a steady interval, so a log in CI or Slurm tells slow from hung. Every line passes
/// `Console.safe` (the one sanitizer).
/// What it knows about the run (its description, trials' configurations) it reads from the tuner's fold
/// of the events, lent with each event (`receive(_:folded:)`), or from its own fold when events come
/// alone (`receive(_:)`). Between events, progress and idle lines read a `Snapshot` taken at the latest.
final class HeadlessPrinter: FoldReadingSink, Sendable {
    /// The rungs already announced, the run as of the latest event, and the timers' bookkeeping.
    private struct Seen {
        /// The printer's own fold, for events that come without the tuner's (`receive(_:)`); emptied
        /// once the tuner lends its fold.
        var own: RunState
        var run: Snapshot
        /// `reached[b][k]`: rung k of bracket b was announced.
        var reached: [[Bool]] = []

        /// Marks the rung announced; true when it was not yet. A rung past any ladder's (from a damaged
        /// log) is never announced.
        mutating func reach(bracket b: Int, rung k: Int) -> Bool {
            guard (0..<256).contains(b), (0..<256).contains(k) else { return false }
            if b >= reached.count { reached += Array(repeating: [], count: b + 1 - reached.count) }
            if k >= reached[b].count { reached[b] += Array(repeating: false, count: k + 1 - reached[b].count) }
            if reached[b][k] { return false }
            reached[b][k] = true
            return true
        }
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

    /// What the progress and idle lines read of the run: a few numbers taken from its state at each
    /// event, so that a line printed between events needs no state (and the tuner's is not copied).
    struct Snapshot: Equatable {
        /// The statuses a progress line counts, in its order.
        static let order: [TrialStatus] = [
            .running, .waiting, .paused, .queued, .completed, .stopped, .killed, .failed,
        ]
        var started = false
        var ended = false
        var time = 0.0
        var reports = 0
        var trials = 0
        /// The number of trials per status of `order`.
        var counts = [Int](repeating: 0, count: order.count)
        var runningJobs = 0
        var workerLimit = 0
        var totalResource = 0
        var maxTrials: Int?
        var maxTotalResource: Int?
        var maxSeconds: Double?
        var runPaused = false
        var pausedSeconds = 0.0
        var pausedSince: Double?
        var waitsOnPausedTrials = false
        /// While `waitsOnPausedTrials`: the number of paused trials and the first ten of them.
        var pausedCount = 0
        var pausedIDs: [Int] = []

        init(_ state: RunState) {
            update(from: state, startedNow: true)
        }

        /// Takes the numbers from `state`; the run's description (budgets) only once it started or
        /// when `startedNow` (reading it copies it).
        mutating func update(from state: RunState, startedNow: Bool) {
            if startedNow || !started, let info = state.info {
                started = true
                maxTrials = info.settings.maxTrials
                maxTotalResource = info.settings.maxTotalResource
                maxSeconds = info.maxSeconds
            }
            ended = state.isEnded
            time = state.time
            reports = state.reports
            trials = state.trials.count
            for (i, status) in Self.order.enumerated() { counts[i] = state.count(status) }
            runningJobs = state.runningJobs
            workerLimit = state.workerLimit
            totalResource = state.totalResource
            runPaused = state.runPaused
            pausedSeconds = state.pausedSeconds
            pausedSince = state.pausedSince
            waitsOnPausedTrials = state.waitsOnPausedTrials
            pausedCount = state.count(.paused)
            pausedIDs =
                waitsOnPausedTrials
                ? Array(state.trials.indices.lazy.filter { state.trials[$0].status == .paused }.prefix(10)) : []
        }

        /// The number of trials with `status`.
        func count(_ status: TrialStatus) -> Int {
            Self.order.firstIndex(of: status).map { counts[$0] } ?? 0
        }

        /// As `RunState.activeSeconds(at:)`.
        func activeSeconds(at t: Double) -> Double {
            let open = pausedSince.map { max(0, t - $0) } ?? 0
            return max(0, t - pausedSeconds - open)
        }

        /// As `RunState.isIdleOnPausedTrials(now:)`.
        func isIdleOnPausedTrials(now: Double) -> Bool {
            waitsOnPausedTrials && now - time >= RunState.idleAfterSeconds
        }
    }

    /// Failures printed one line each; after these, one line says the rest are counted, not printed (a
    /// run whose every trial fails would print thousands of the same line).
    static let maxFailureLines = 20

    private let seen: Locked<Seen>
    private let sink: @Sendable (String) -> Bool
    private let onOutputClosed: (@Sendable () -> Void)?
    private let closed = Locked(false)

    /// `state` is the run's state so far (a resumed run's, whose past is in its log); `write` receives
    /// each line (with its newline), by default on standard output, and says whether it was taken.
    /// The first line refused (a closed pipe) calls `onOutputClosed`, once (from within `receive`: it must
    /// not call back into the tuner there); nothing more is written.
    init(
        state: RunState = RunState(),
        write: @escaping @Sendable (String) -> Bool = { line in Console.write(line, to: STDOUT_FILENO) },
        onOutputClosed: (@Sendable () -> Void)? = nil
    ) {
        self.sink = write
        self.onOutputClosed = onOutputClosed
        var seen = Seen(own: state, run: Snapshot(state))
        // A resumed run's rungs were reached long ago: announce only what is new.
        if let info = state.info {
            for b in info.ladders.indices {
                for k in info.ladders[b].indices { _ = seen.reach(bracket: b, rung: k) }
            }
        }
        self.seen = Locked(seen)
    }

    /// Whether a line was refused: the output's reader left.
    var outputClosed: Bool { closed.withLock { $0 } }

    /// Writes a line unless the output was closed; the first refusal calls `onOutputClosed`.
    private func write(_ line: String) {
        let first = closed.withLock { wasClosed -> Bool in
            guard !wasClosed else { return false }
            if sink(line) { return false }
            wasClosed = true
            return true
        }
        if first { onOutputClosed?() }
    }

    /// The run as the progress and idle lines see it now (for tests).
    var snapshot: Snapshot { seen.withLock { $0.run } }

    /// An event alone: folded into the printer's own state first.
    func receive(_ event: RunEvent) {
        seen.withLock { seen in
            seen.own.apply(event)
            let state = seen.own
            handle(event, state, &seen)
        }
    }

    /// An event with the tuner's fold after it.
    func receive(_ event: RunEvent, folded state: borrowing RunState) {
        seen.withLock { seen in
            if seen.own.events > 0 { seen.own = RunState() }
            handle(event, state, &seen)
        }
    }

    private func handle(_ event: RunEvent, _ state: RunState, _ seen: inout Seen) {
        let startedNow = if case .runStarted = event.body { true } else { false }
        seen.run.update(from: state, startedNow: startedNow)
        seen.lastEventWall = CoarseClock.nanoseconds()
        if !seen.run.waitsOnPausedTrials { seen.idleSaid = false }
        guard let text = Self.line(for: event, state, &seen) else { return }
        let time = String(format: "%8.2fs", event.time)
        write(Console.safe("[\(time)] \(text)") + "\n")
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
            seen.lastProgressReports = seen.run.reports
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
            guard seen.idleTimer != nil, !seen.idleSaid, seen.run.waitsOnPausedTrials,
                quiet >= RunState.idleAfterSeconds
            else { return }
            seen.idleSaid = true
            let now = seen.run.time + (seen.wallClock ? quiet : 0)
            write(Console.safe("[\(String(format: "%8.2fs", now))] \(Self.idleText(seen.run, now: now))") + "\n")
        }
    }

    /// "idle: every remaining trial is paused by the user (2: 4, 7); nothing runs until one is resumed
    /// (`ashb-top attach`, then p on it), the run is stopped, or its time budget ends in 2:18"
    static func idleText(_ state: RunState, now: Double) -> String {
        idleText(Snapshot(state), now: now)
    }

    static func idleText(_ state: Snapshot, now: Double) -> String {
        let n = state.pausedCount
        let ids = state.pausedIDs.map(String.init).joined(separator: ", ") + (n > 10 ? ", …" : "")
        var text =
            "idle: every remaining trial is paused by the user (\(n): \(ids)); nothing runs until one is resumed "
            + "(`ashb-top attach`, then p on it)"
        if let m = state.maxSeconds, m > 0 {
            text +=
                ", the run is stopped, or its time budget ends in \(clock(max(0, m - state.activeSeconds(at: now))))"
        } else {
            text += " or the run is stopped (it has no time budget: it waits until then)"
        }
        return text
    }

    private func progress() {
        seen.withLock { seen in
            guard seen.timer != nil, seen.run.started, !seen.run.ended else { return }
            let wall = CoarseClock.nanoseconds()
            let extra = seen.wallClock && !seen.run.runPaused ? Double(wall &- seen.lastEventWall) / 1e9 : 0
            let now = seen.run.time + extra
            let interval = Double(wall &- seen.lastProgressWall) / 1e9
            let rate = interval > 0 ? Double(seen.run.reports - seen.lastProgressReports) / interval : 0
            seen.lastProgressWall = wall
            seen.lastProgressReports = seen.run.reports
            write("[\(String(format: "%8.2fs", now))] \(Self.progressText(seen.run, now: now, rate: rate))\n")
        }
    }

    /// "progress: trials 120 (run 4, wait 100, done 2, stop 14), 21.5 rep/s, workers 4/4 busy,
    /// budget 40% (time 1:12/3:00), ends in 1:48 (time budget)"
    static func progressText(_ state: RunState, now: Double, rate: Double) -> String {
        progressText(Snapshot(state), now: now, rate: rate)
    }

    static func progressText(_ run: Snapshot, now: Double, rate: Double) -> String {
        let short: [TrialStatus: String] = [
            .running: "run", .waiting: "wait", .paused: "paused", .queued: "queued", .completed: "done",
            .stopped: "stop", .killed: "killed", .failed: "fail",
        ]
        let counts = Snapshot.order.filter { run.count($0) > 0 }.map { "\(short[$0] ?? $0.rawValue) \(run.count($0))" }
        var parts = [
            "trials \(run.trials)" + (counts.isEmpty ? "" : " (" + counts.joined(separator: ", ") + ")"),
            String(format: "%.1f rep/s", rate),
            "workers \(run.runningJobs)/\(run.workerLimit) busy",
        ]
        var budgets: [(Double, String)] = []
        var eta: String?
        let active = run.activeSeconds(at: now)
        if let m = run.maxTrials, m > 0 {
            budgets.append((Double(run.trials) / Double(m), "trials \(run.trials)/\(m)"))
        }
        if let m = run.maxTotalResource, m > 0 {
            budgets.append((Double(run.totalResource) / Double(m), "resource \(run.totalResource)/\(m)"))
        }
        if let m = run.maxSeconds, m > 0 {
            budgets.append((active / m, "time \(clock(active))/\(clock(m))"))
            eta = "ends in \(clock(max(0, m - active))) (time budget)"
        }
        if let top = budgets.max(by: { $0.0 < $1.0 }) {
            parts.append("budget \(Int(min(1, top.0) * 100))% (\(top.1))")
        }
        if let m = run.maxTrials, m > 0, run.trials >= m, let time = eta {
            // Every trial is sampled: the run ends when their jobs do, the time budget is only a bound.
            eta = "all trials sampled, " + time.replacingOccurrences(of: " (time budget)", with: " at the latest")
        }
        if eta == nil, let m = run.maxTrials, m > run.trials, active > 0, run.trials > 0 {
            let perSecond = Double(run.trials) / active
            eta = "sampling ends in ~\(clock(Double(m - run.trials) / perSecond)) at this rate"
        }
        if let eta { parts.append(eta) }
        if run.runPaused { parts.append("RUN PAUSED") }
        if run.isIdleOnPausedTrials(now: now) { parts.append("IDLE: every remaining trial is paused") }
        return "progress: " + parts.joined(separator: ", ")
    }

    private static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e9 else { return "-" }
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    private static func line(for event: RunEvent, _ state: RunState, _ seen: inout Seen) -> String? {
        switch event.body {
        case .runStarted(let i):
            let s = i.settings
            let ladders = i.ladders.map { $0.map(String.init).joined(separator: " ") }.joined(separator: " | ")
            return
                "run started: \(Sanitizer.clean(i.name, maxColumns: 200)) — \(i.objective), \(s.variant.rawValue) ASHA, "
                + "η=\(s.reductionFactor), \(s.brackets) bracket(s), \(i.workers) worker(s), rungs \(ladders)"
        case .decision(let d):
            if d.action == .promote { return nil }
            guard seen.reach(bracket: d.bracket, rung: d.rung) else { return nil }
            return "bracket \(d.bracket) rung \(d.rung) (r=\(d.resource)) reached first by trial \(d.trial)"
        case .newBest(let t, let r, let v):
            // A best is judged at the highest resource any rung decision has seen: a best at a higher
            // rung replaces one at a lower rung even when its value is worse.
            let metric = state.info?.metric ?? "value"
            let config = state.trial(t).map { Sanitizer.clean($0.config.description, maxColumns: 160) } ?? ""
            let bracket = state.trial(t)?.bracket ?? 0
            let rung = state.info.flatMap { i in
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
