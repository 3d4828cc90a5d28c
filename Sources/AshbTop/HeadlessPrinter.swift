import ASHA
import Foundation
import RunLog
import TextSafety
import Tuner

/// Prints one line per notable event for headless runs: the start, each new best, the first trial to
/// reach each rung, failures, user actions and the end. Every line passes `Console.safe` (the one sanitizer).
/// What it knows about the run (its description, trials' configurations) it reads from its own fold of
/// the events (`RunState`).
final class HeadlessPrinter: EventSink, Sendable {
    /// The printer's fold of the run, and the rungs already announced.
    private struct Seen {
        var state: RunState
        var reached = Set<[Int]>()
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
            for b in info.ladders.indices { for k in info.ladders[b].indices { seen.reached.insert([b, k]) } }
        }
        self.seen = Locked(seen)
    }

    func receive(_ event: RunEvent) {
        seen.withLock { seen in
            seen.state.apply(event)
            guard let text = Self.line(for: event, &seen) else { return }
            let time = String(format: "%8.2fs", event.time)
            write(Console.safe("[\(time)] \(text)") + "\n")
        }
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
            guard seen.reached.insert([d.bracket, d.rung]).inserted else { return nil }
            return "bracket \(d.bracket) rung \(d.rung) (r=\(d.resource)) reached first by trial \(d.trial)"
        case .newBest(let t, let r, let v):
            let metric = seen.state.info?.metric ?? "value"
            let config = seen.state.trial(t).map { Sanitizer.clean($0.config.description, maxColumns: 160) } ?? ""
            return "new best: trial \(t) \(metric)=\(formatShort(v)) at r=\(r)  \(config)"
        case .trialFailed(let t, let reason):
            return "trial \(t) failed: \(Sanitizer.clean(reason, maxColumns: 5_000))"
        case .trialKilled(let t):
            return "trial \(t) killed by the user"
        case .trialPaused(let t, let by):
            return by == .user ? "trial \(t) paused by the user" : nil
        case .runPaused: return "run paused"
        case .runResumed: return "run resumed"
        case .workersChanged(let n, _): return "workers: \(n)"
        case .message(let t, let text):
            return (t.map { "trial \($0): " } ?? "") + Sanitizer.clean(text, maxColumns: 200)
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
    let counts = order.compactMap { st in s.counts[st].map { "\(st.rawValue) \($0)" } }
    let total = s.counts.values.reduce(0, +)
    out += "Trials         \(total): " + counts.joined(separator: ", ") + "\n"
    out += "Reports        \(s.reports)\n"
    out += String(format: "Utilization    %.1f%%\n", s.utilization * 100)
    out += String(format: "Time           %.2f s\n", s.seconds)
    out += "Ended          \(Sanitizer.clean(s.endReason ?? "not ended", maxColumns: 200))\n"
    if let logPath { out += "Log            \(logPath)\n" }
    return out
}
