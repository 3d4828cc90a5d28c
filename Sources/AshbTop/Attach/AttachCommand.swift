import ArgumentParser
import Dashboard
import Foundation
import RunLog
import Terminal
import TextSafety

/// `ashb-top attach [RUN]`: the live dashboard of a run that goes on elsewhere (detached, or in another
/// terminal), over the run's control socket.
struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Show the dashboard of a live run (the most recent one by default) and control it.",
        discussion: """
            The dashboard is the live one: it gets every event of the run (what its log holds, then live events) \
            over the run's control socket (RUN/control/socket) and sends what the keys ask for (pause, resume or \
            kill a trial, pause the run, workers +/-). d, Ctrl-C, SIGTERM or closing the terminal closes this \
            viewer and leaves the run going; q asks, then stops the run and prints its summary once it has \
            ended. Several viewers may attach at once. A run that has ended is refused (replay it), and so is \
            one whose process died (resume it).
            """)

    @Argument(
        help: ArgumentHelp(
            "A run directory, or its events.jsonl file (default: the most recent live run under --runs-dir).",
            valueName: "run"))
    var directory: String?

    @Option(help: "Directory that holds run directories.")
    var runsDir = "runs"

    @OptionGroup var drawing: DrawingFlags

    func run() throws { try reportingErrors(execute) }

    private func execute() throws {
        let dir = try Self.resolve(directory, runsDir: runsDir)
        let client = try Self.connect(dir)
        do {
            try DashboardApp.checkTerminal()
        } catch {
            throw CLIError(Self.noDashboardMessage(error, dir: dir))
        }
        let inbox = EventInbox()
        client.start(into: inbox)
        let reason: ExitReason
        var options = DashboardOptions(ascii: drawing.ascii, noColor: drawing.noColor, canDetach: true)
        options.runClock = { client.runClock }
        do {
            reason = try DashboardApp.run(inbox: inbox, send: { client.send($0) }, options: options)
        } catch {
            throw CLIError("\(error)")
        }
        let shown = Sanitizer.clean(dir, maxColumns: 200)
        switch reason {
        case .detached, .signal:
            client.hangUp()
            print("Detached; the run goes on (pid \(client.pid)). `ashb-top attach \(shown)` shows it again.")
            if reason.exitStatus != 0 { throw ExitCodeError(code: reason.exitStatus) }
        case .userQuit, .runEnded:
            // q on a live run sent stop_run: the run finishes its jobs, then records its end.
            if client.waitUntilClosed(seconds: 120) {
                printSummary(dir)
            } else if let why = client.failureText {
                print("ashb-top: \(Sanitizer.clean(why, maxColumns: 200))")
            } else {
                client.hangUp()
                print("The run (pid \(client.pid)) is stopping; `ashb-top ls` shows when it has ended.")
            }
        }
    }

    private func printSummary(_ dir: String) {
        guard let reader = try? LogReader(path: dir + "/events.jsonl", lenient: true) else { return }
        var state = RunState()
        while let e = try? reader.next(follow: true) { state.apply(e) }
        if let info = state.info {
            print(summaryText(state.summary, info: info, logPath: dir + "/events.jsonl"), terminator: "")
        }
    }

    /// The run directory to attach to: `run` (a directory, or its events file), else the most recent live
    /// run under `runsDir`.
    /// Why `attach` cannot show the dashboard, and what follows a run without one: `attach` has no
    /// --headless, so the terminal's own suggestion of it is left out.
    static func noDashboardMessage(_ error: Error, dir: String) -> String {
        let problem = (error as? TerminalError)?.problem ?? "\(error)"
        return "\(problem); `ashb-top replay --follow \(Sanitizer.clean(dir, maxColumns: 200))` follows the run "
            + "without a dashboard"
    }

    static func resolve(_ run: String?, runsDir: String) throws -> String {
        guard let run else {
            let runs = try RunStatus.list(root: runsDir)
            if let live = runs.first(where: { if case .running = $0.state { return true } else { return false } }) {
                return live.path
            }
            throw CLIError(
                "no live run under '\(Sanitizer.clean(runsDir, maxColumns: 200))' (`ashb-top ls` lists the runs)")
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: run, isDirectory: &isDir) else {
            throw CLIError("'\(Sanitizer.clean(run, maxColumns: 200))': no such run directory")
        }
        return isDir.boolValue ? RunDirectory.trimmingSlashes(run) : (run as NSString).deletingLastPathComponent
    }

    /// Connects to the run in `dir`, or explains why that cannot be (ended: replay it; died: resume it).
    static func connect(_ dir: String) throws -> ControlClient {
        let shown = Sanitizer.clean(dir, maxColumns: 200)
        do {
            return try ControlClient(socketPath: ControlSocket.path(of: dir))
        } catch ControlClient.ConnectError.socket(let e) where e.code == ENOENT || e.code == ECONNREFUSED {
            switch RunStatus.inspect(dir).state {
            case .ended(let reason):
                throw CLIError(
                    "the run in \(shown) has ended (\(Sanitizer.clean(reason, maxColumns: 200))); `ashb-top replay \(shown)` plays it back"
                )
            case .died(let stale):
                let how = stale ? "its socket is left from a crash" : "it died without recording an end"
                throw CLIError(
                    "the run in \(shown) has no live process (\(how)); `ashb-top resume \(shown)` continues it")
            case .running(let pid):
                throw CLIError("the run in \(shown) (pid \(pid)) has no control socket to attach to")
            case .unreadable(let why):
                throw CLIError("\(shown): not a run directory (\(Sanitizer.clean(why, maxColumns: 200)))")
            }
        } catch {
            throw CLIError("cannot attach to the run in \(shown): \(error)")
        }
    }
}
