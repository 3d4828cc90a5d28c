import Dashboard
import Foundation
import Objectives
import RunLog
import Terminal
import TextSafety
import Tuner

/// How a run is shown.
struct DisplayOptions {
    /// Progress lines and a summary instead of the dashboard (also when stdout is not a terminal).
    var headless: Bool
    var ascii: Bool
    var noColor: Bool
    /// Headless: seconds between progress lines (0: none).
    var progressEvery: Double = 10
    /// The run is on the simulated clock.
    var simulated = false
}

/// How this process relates to a terminal it may leave (see `Detach`).
struct Background {
    /// A dashboard run's session child: where to say that it detached.
    var sessionFD: Int32?
    /// A daemon (`run --detach`): where to say that it is up.
    var readyFD: Int32?

    /// Reads both from the environment (once, early in a command).
    static func adopt() -> Background { Background(sessionFD: Detach.adoptSession(), readyFD: Detach.adoptReady()) }
}

/// Runs a prepared tuner to its end, on the dashboard or headless, and closes its log.
enum RunDriver {
    static func drive(
        _ tuner: Tuner, log: LogWriter, dir: RunDirectory, display: DisplayOptions, keep: KeepCheckpoints? = nil,
        background: Background = Background()
    ) throws {
        stopOnLogFailure(tuner, log: log)
        let end = RunEnd(keep: keep)
        // Viewers attach through the control socket; without it the run goes on, unattachable.
        var server: ControlServer?
        do {
            server = try ControlServer(
                run: dir.path, lastSeq: tuner.nextSeq - 1, commands: { tuner.send($0) }, flushLog: { log.flush() })
            tuner.addSink(server!)
        } catch {
            Console.err("ashb-top: warning: this run cannot be attached to: \(error)\n")
        }
        defer { server?.finish() }
        if let fd = background.readyFD { Detach.sayReady(fd) }
        let interactive = !display.headless && isatty(STDOUT_FILENO) == 1
        guard interactive else {
            return try driveHeadless(
                tuner, log: log, dir: dir, end: end, progressEvery: display.progressEvery, simulated: display.simulated)
        }
        do {
            try DashboardApp.checkTerminal()
        } catch {
            // Nothing was drawn; the log exists but holds only its header.
            throw CLIError("\(error)")
        }
        try driveDashboard(tuner, log: log, dir: dir, display: display, end: end, sessionFD: background.sessionFD)
    }

    /// When the log cannot be written, the run stops (within the second the writer flushes in), with the
    /// reason as its end: every later event would be lost, so going on would spend compute that no resume
    /// could use. The log up to the failure stays valid; `ashb-top resume` continues it once there is room.
    /// The dashboard and the headless lines show the reason, and the command exits 1.
    static func stopOnLogFailure(_ tuner: Tuner, log: LogWriter) {
        log.onFailure { [weak tuner] message in
            tuner?.send(
                .stopRun(reason: "the run log cannot be written (\(message)); stopped, nothing more is recorded"))
        }
    }

    /// A SIGINT or SIGTERM stops the run with the signal as its reason; a second one (counting the one
    /// that came before, when `signalled`) exits at once. Watches until the watcher is stopped or freed.
    static func stopOnSignals(_ tuner: Tuner, log: LogWriter, signalled: Bool = false) -> SignalWatcher {
        let count = SignalCount()
        if signalled { _ = count.next() }
        return SignalWatcher([SIGINT, SIGTERM]) { sig in
            if count.next() > 1 { exitAtOnce(log: log, signal: sig) }
            tuner.send(.stopRun(reason: EndReason(signal: sig)))
        }
    }

    /// Throws when the run stopped as a whole because its trials kept failing.
    static func throwIfFailed(_ tuner: Tuner) throws {
        if let why = tuner.failureStop { throw CLIError("the run stopped: \(Sanitizer.clean(why, maxColumns: 2_000))") }
    }

    static func driveHeadless(
        _ tuner: Tuner, log: LogWriter, dir: RunDirectory, end: RunEnd = RunEnd(), progressEvery: Double = 10,
        simulated: Bool = false
    ) throws {
        // A reader that leaves (`| head`, a `less` that quit) stops the run cleanly, with the reason
        // `output closed (SIGPIPE)`, and the command exits 141 as a program the pipe killed would. SIGPIPE
        // itself is ignored: it killed the process at the first line written after the reader left (or,
        // on a Dispatch thread that blocks it, `FileHandle.write` trapped on EPIPE), mid-run, with no end
        // in the log. Children get their signals reset (`ashb_spawn`), so they still see SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        // The printer finds the output closed inside the tuner's emit (its lock held): the stop is sent from
        // another thread.
        let printer = HeadlessPrinter(
            state: tuner.state,
            onOutputClosed: { [weak tuner] in
                DispatchQueue.global().async { [tuner] in tuner?.send(.stopRun(reason: EndReason(signal: SIGPIPE))) }
            })
        tuner.addSink(printer)
        printer.startProgress(every: progressEvery, wallClock: !simulated)
        defer { printer.stopProgress() }
        let trap = stopOnSignals(tuner, log: log)
        try finish(tuner, summary: tuner.run(), log: log, dir: dir, end: end)
        if let code = trap.exitCode { throw ExitCodeError(code: code) }
        if printer.outputClosed { throw ExitCodeError(code: 128 + SIGPIPE) }
        try throwIfFailed(tuner)
    }

    /// What is done after the run besides closing the log.
    struct RunEnd {
        /// Which trials' checkpoint directories stay (a command objective with checkpoints), or nil.
        var keep: KeepCheckpoints?
    }

    /// A second SIGINT or SIGTERM while the run is stopping: the events buffered so far are written (the
    /// log holds whole lines only), and the process exits with 128 + the signal at once. Checkpoints
    /// not yet written are lost: a resume continues those trials from an older checkpoint or from zero.
    static func exitAtOnce(log: LogWriter, signal: Int32) {
        log.flush()
        Console.write("ashb-top: second signal; exiting now (the log is consistent)\n", to: STDERR_FILENO)
        _exit(128 + signal)
    }

    /// Drives the run to its end, releases the run's lock, and exits with the run's status: what `run`
    /// and `resume` do once their tuner is prepared.
    static func driveToExit(
        _ tuner: Tuner, log: LogWriter, dir: RunDirectory, display: DisplayOptions, keep: KeepCheckpoints?,
        background: Background, lock: RunLock
    ) throws -> Never {
        let status: Int32
        do {
            try drive(tuner, log: log, dir: dir, display: display, keep: keep, background: background)
            status = 0
        } catch let e as ExitCodeError {
            status = e.code
        }
        lock.release()
        exitNow(status)
    }

    /// Exits once a run is over and everything is written and closed, without tearing down the run's
    /// memory first (freeing hundreds of thousands of trials one by one took a fifth of a second).
    static func exitNow(_ status: Int32) -> Never {
        fflush(nil)
        exit(status)
    }

    /// After the run: closes the log, prints the summary, and reports what could not be written (a
    /// checkpoint lost is a warning: a resume trains that trial again; a log write lost is an error).
    static func finish(
        _ tuner: Tuner, summary: RunSummary, log: LogWriter, dir: RunDirectory, end: RunEnd = RunEnd()
    ) throws {
        log.close()
        Console.out(summaryText(summary, info: tuner.info, logPath: dir.eventsPath))
        if let keep = end.keep {
            let resumable = !CheckpointCleanup.isOver(summary.endReason)
            CheckpointCleanup.apply(
                trialsDirectory: dir.path + "/trials", keep: keep, best: summary.best?.trial,
                statuses: tuner.state.trials.map(\.status), resumable: resumable)
            let bytes = CheckpointCleanup.diskUsage(dir.path)
            let kept = CheckpointCleanup.keptLabel(keep, resumable: resumable)
            Console.out(
                "Disk           \(CheckpointCleanup.formatBytes(bytes)) in the run directory (checkpoints kept: \(kept))\n"
            )
        }
        if let err = tuner.checkpointError {
            Console.err("ashb-top: warning: \(err); a resume trains it again\n")
        }
        if let err = log.error { throw CLIError("the run log is incomplete: \(err)") }
    }

    /// The live dashboard owns the terminal on this thread; the tuner runs on its workers. Diagnostics
    /// go to the run directory, never to the screen. On quit or a signal the run stops gracefully and
    /// its log is closed with the reason.
    static func driveDashboard(
        _ tuner: Tuner, log: LogWriter, dir: RunDirectory, display: DisplayOptions, end: RunEnd = RunEnd(),
        sessionFD: Int32? = nil
    ) throws {
        let inbox = EventInbox()
        tuner.addSink(inbox)
        let model =
            tuner.isRestored
            ? DashboardModel(events: (try? LogReader(path: dir.eventsPath).readAll()) ?? []) : DashboardModel()
        tuner.start()
        // While the screen is up, anything written to standard error (a warning from a library, a crash
        // report) goes to the run's diagnostics file instead of through the picture.
        let diagnostics = StderrRedirect(to: dir.diagnosticsPath)
        defer { diagnostics.restore() }
        let reason: ExitReason
        do {
            reason = try DashboardApp.run(
                inbox: inbox, send: { tuner.send($0) },
                options: DashboardOptions(
                    ascii: display.ascii, noColor: display.noColor, readOnly: false,
                    trialOutput: { [path = dir.path] in RunDirectory.stderrTail(runPath: path, trial: $0) },
                    canDetach: sessionFD != nil),
                model: model)
        } catch {
            tuner.send(.stopRun(reason: "dashboard failed: \(error)"))
            _ = tuner.waitUntilEnded()
            log.close()
            throw CLIError("\(error)")
        }
        // The screen is gone: standard error is the terminal's again, and while the run stops, a signal
        // stops it again (after a signal closed the dashboard: exits at once).
        diagnostics.restore()
        var signalled = false
        if case .signal = reason { signalled = true }
        let trap = stopOnSignals(tuner, log: log, signalled: signalled)
        defer { trap.stop() }
        switch reason {
        case .signal(let sig):
            tuner.send(.stopRun(reason: EndReason(signal: sig)))
        case .userQuit, .runEnded:
            tuner.send(.stopRun(reason: .userQuit))
        case .detached:
            // The screen is closed; the run goes on as a daemon until it ends (or SIGINT/SIGTERM stop it).
            diagnostics.restore()
            if let sessionFD {
                Detach.detach(sessionFD: sessionFD, runDirectory: dir.path, diagnostics: dir.diagnosticsPath)
            }
            let trap = stopOnSignals(tuner, log: log)
            try finish(tuner, summary: tuner.waitUntilEnded(), log: log, dir: dir, end: end)
            if let code = trap.exitCode { throw ExitCodeError(code: code) }
            try throwIfFailed(tuner)
            return
        }
        let summary = tuner.waitUntilEnded()
        diagnostics.restore()
        try finish(tuner, summary: summary, log: log, dir: dir, end: end)
        if reason.exitStatus != 0 { throw ExitCodeError(code: reason.exitStatus) }
        try throwIfFailed(tuner)
    }
}

/// Points file descriptor 2 at a file until `restore()` (idempotent); a file that cannot be opened
/// leaves standard error alone.
final class StderrRedirect {
    private var saved: Int32 = -1

    init(to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        saved = dup(STDERR_FILENO)
        if saved < 0 || dup2(fd, STDERR_FILENO) < 0 {
            if saved >= 0 { close(saved) }
            saved = -1
        }
        close(fd)
    }

    func restore() {
        guard saved >= 0 else { return }
        dup2(saved, STDERR_FILENO)
        close(saved)
        saved = -1
    }
}

/// Exit with this code, having printed everything already.
struct ExitCodeError: Error {
    let code: Int32
}

/// Counts signals across a watcher's callbacks.
final class SignalCount: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0

    /// Counts one more and returns the count.
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        n += 1
        return n
    }
}
