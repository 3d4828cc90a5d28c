import Foundation
import RunLog
import Tuner

/// How a run is shown.
struct DisplayOptions {
    /// Progress lines and a summary instead of the dashboard (also when stdout is not a terminal).
    var headless: Bool
    var ascii: Bool
    var noColor: Bool
}

/// Runs a prepared tuner to its end, on the dashboard or headless, and closes its log.
enum RunDriver {
    static func drive(_ tuner: Tuner, log: LogWriter, dir: RunDirectory, display: DisplayOptions) throws {
        let interactive = !display.headless && isatty(STDOUT_FILENO) == 1
        if interactive {
            try driveDashboard(tuner, log: log, dir: dir, display: display)
        } else {
            try driveHeadless(tuner, log: log, dir: dir)
        }
    }

    static func driveHeadless(_ tuner: Tuner, log: LogWriter, dir: RunDirectory) throws {
        tuner.addSink(HeadlessPrinter(info: tuner.isRestored ? tuner.info : nil))
        let trap = SignalTrap { sig in
            tuner.send(.stopRun(reason: sig == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)"))
        }
        let summary = tuner.run()
        log.close()
        print(summaryText(summary, info: tuner.info, logPath: dir.eventsPath), terminator: "")
        if let err = log.error { throw CLIError("the run log is incomplete: \(err)") }
        if let code = trap.exitCode { throw ExitCodeError(code: code) }
    }

    static func driveDashboard(_ tuner: Tuner, log: LogWriter, dir: RunDirectory, display: DisplayOptions) throws {
        // The live dashboard is wired in with the Dashboard and Terminal targets; until then, headless.
        try driveHeadless(tuner, log: log, dir: dir)
    }
}

/// Exit with this code, having printed everything already.
struct ExitCodeError: Error {
    let code: Int32
}
