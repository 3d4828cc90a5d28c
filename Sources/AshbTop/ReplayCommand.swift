import ArgumentParser
import Dashboard
import Dispatch
import Foundation
import RunLog
import Terminal
import TextSafety

/// `ashb-top replay RUN`: plays a recorded run back on the dashboard (read-only), or prints its summary.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Play a recorded run back on the dashboard (read-only), or print its summary with --headless.",
        discussion: """
            Keys: Space play/pause, +/- (or >/<) speed x0.25 ... x1024 and max, ./, one event forward/back, ]/[ \
            next/previous decision about the selected trial, Left/Right 10 s, Shift-Left/Right or PgUp/PgDn \
            1 min, g/G start/end, : a time (12m30s) or an event number, ? every key. Keys that act on trials \
            are disabled. With --headless (or when standard output is not a terminal) the summary the live run \
            printed at its end is printed instead. Errors found before the screen is up (a missing file, a \
            newer schema, a corrupt line near the start) exit 1; later ones are shown on the dashboard, and \
            printed (exit 1) once it closes. With --follow and --headless, the summary is printed when the run ends.
            """)

    @Argument(help: "A run directory, or its events.jsonl file.")
    var path: String

    @Flag(help: "Print the run's summary instead of showing the dashboard.")
    var headless = false

    @Flag(help: "Keep reading the log as another process writes it (like tail -f).")
    var follow = false

    @Option(help: "Replay only up to this time: 90, 90s, 12m30s or 1h2m.")
    var until: String?

    @Option(help: "Start at this speed: 0.25 ... 1024, or max.")
    var speed: String = "1"

    @Flag(help: "Start paused.")
    var paused = false

    @Flag(help: "Skip corrupt lines in the log (each is reported) instead of stopping.")
    var lenient = false

    @Flag(help: "Draw the dashboard with ASCII characters only.")
    var ascii = false

    @Flag(help: "Draw the dashboard without colours (also honoured: the NO_COLOR environment variable).")
    var noColor = false

    /// Events read before the screen comes up (their errors are reported on standard error).
    static let firstBatch = 4096

    func validate() throws {
        if let until, ReplayTime.parse(until) == nil {
            throw ValidationError(
                "--until: not a time: '\(Sanitizer.clean(until, maxColumns: 200))' (try 90, 90s, 12m30s or 1h2m)")
        }
        if Self.parseSpeed(speed) == nil {
            throw ValidationError(
                "--speed: '\(Sanitizer.clean(speed, maxColumns: 200))' is not between 0.25 and 1024, or max")
        }
    }

    static func parseSpeed(_ text: String) -> Double? {
        let t = text.lowercased().trimmingCharacters(in: .whitespaces)
        if t == "max" { return .infinity }
        let number = t.hasPrefix("x") ? String(t.dropFirst()) : t
        guard let s = Double(number), s >= 0.25, s <= 1024 else { return nil }
        return s
    }

    func run() throws {
        try reportingErrors { try execute() }
    }

    private func execute() throws {
        let events = try RunDirectory.eventsFile(for: path)
        let reader: LogReader
        do { reader = try LogReader(path: events, lenient: lenient) } catch { throw CLIError("\(error)") }
        let feed = LogReplayFeed(reader: reader, follow: follow, until: until.flatMap(ReplayTime.parse))
        if headless || isatty(STDOUT_FILENO) != 1 {
            try Self.printSummary(feed, logPath: events)
        } else {
            try interactive(feed)
        }
    }

    /// Folds the whole log (following it until the run ends, with --follow) and prints the summary.
    static func printSummary(_ feed: LogReplayFeed, logPath: String) throws {
        var state = RunState()
        while !feed.isFinished {
            let batch: [RunEvent]
            do { batch = try feed.read(limit: 1 << 16) } catch { throw CLIError(feed.failureText ?? "\(error)") }
            for event in batch { state.apply(event) }
            warn(feed.takeNotices())
            // Following: everything written so far is read; stop once the run has ended, else wait for more.
            if batch.isEmpty, feed.follow {
                if state.isEnded { break }
                usleep(100_000)
            }
        }
        warn(feed.takeNotices())
        if let warning = state.violationWarning { warn(["\(logPath): \(warning)"]) }
        guard let info = state.info else {
            throw CLIError(
                "\(Sanitizer.clean(logPath, maxColumns: 200)): the log records no run_started event: nothing to summarize"
            )
        }
        Console.out(summaryText(state.summary, info: info, logPath: logPath))
    }

    private static func warn(_ notices: [String]) {
        for n in notices { Console.err("ashb-top: \(n)\n") }
    }

    /// Reads the start of the log (its errors go to standard error before the screen is up), then plays
    /// it on the dashboard. Notices about the log and an error found while the screen was up are shown
    /// there, and printed again once the terminal is restored (an error exits 1, as without the screen).
    private func interactive(_ feed: LogReplayFeed) throws {
        do {
            try DashboardApp.checkTerminal()
        } catch {
            throw CLIError("\(error)")
        }
        // The events are not kept: the feed indexes the log and the timeline reads windows of it again.
        let timeline = ReplayTimeline(source: feed.index, blockSize: feed.markInterval)
        do {
            timeline.append(contentsOf: try feed.read(limit: Self.firstBatch))
        } catch {
            throw CLIError(feed.failureText ?? "\(error)")
        }
        // A bad line among the first ones is an error before the screen is up.
        if let failure = feed.failureText { throw CLIError(failure) }
        // Warnings about the first lines are shown on the dashboard; the reader keeps them for later too.
        let reason: ExitReason
        do {
            reason = try ReplayApp.run(
                timeline: timeline, feed: feed,
                options: DashboardOptions(ascii: ascii, noColor: noColor, readOnly: true),
                speed: Self.parseSpeed(speed) ?? 1, paused: paused)
        } catch {
            throw CLIError("\(error)")
        }
        // What the dashboard showed about the log, said again now that the terminal is back.
        for warning in feed.reader.warnings {
            Console.err("ashb-top: \(feed.reader.path): \(warning)\n")
        }
        if reason.exitStatus != 0 { throw ExitCodeError(code: reason.exitStatus) }
        if let failure = feed.failureText { throw CLIError("\(failure) (the replay ended before it)") }
    }
}
