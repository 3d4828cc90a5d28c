import ASHA
import ArgumentParser
import Foundation
import Objectives
import RunLog
import Terminal
import TextSafety
import Tuner

/// `ashb-top run [SPEC]`: runs an experiment with the live dashboard, or headless.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a tuning experiment (the built-in digits demo when no spec is given).",
        discussion: """
            Every run is recorded to <runs-dir>/<name>-<UTC time>/events.jsonl. When standard output is a \
            terminal the dashboard is shown (standard input must be a terminal too, and TERM one it can draw on: \
            otherwise the run is refused before anything is created, with a hint to use --headless). When it is \
            not (or with --headless, and always on the simulated clock, which finishes in seconds) one line is \
            printed per notable event, a progress line every --progress-every seconds, and a summary at the end. d on the dashboard detaches: the run \
            goes on in the background, and `ashb-top attach` shows it again. Ctrl-C or SIGTERM stops the run \
            gracefully and closes its log (exit 130 or 143). A mistake in the spec exits with status 2 and \
            names the key and the line; nothing is created.
            """)

    @Argument(help: "The experiment spec (YAML). Without it, the built-in demo runs.")
    var spec: String?

    @OptionGroup var displayFlags: DisplayFlags

    @Option(help: "Directory that holds run directories.")
    var runsDir = "runs"

    @Option(help: "Override the spec's seed.")
    var seed: UInt64?

    @Option(help: "Override the spec's number of workers.")
    var workers: Int?

    @Flag(help: "Run on the simulated clock (virtual workers, declared step costs; fast and reproducible).")
    var simulate = false

    @Flag(help: "Start the run in the background (a daemon), print its directory and how to attach, and exit.")
    var detach = false

    /// The run directory made by the foreground half of `--detach` (internal).
    @Option(help: .hidden)
    var into: String?

    func validate() throws {
        if let workers, workers < 1 || workers > 512 {
            throw ValidationError("--workers must be between 1 and 512 (got \(workers))")
        }
    }

    func run() throws { try reportingErrors(execute) }

    private func execute() throws {
        if !detach, !displayFlags.headless, into == nil { Detach.runInOwnSession() }
        let background = Background.adopt()
        let experiment = try Experiment.load(specPath: spec, seed: seed, workers: workers, simulate: simulate)
        let display = displayFlags.options(simulated: experiment.spec.simulated)
        if detach { return try startInBackground(experiment) }
        // A terminal the dashboard cannot use is refused before anything is created.
        if !display.headless, isatty(STDOUT_FILENO) == 1 {
            do { try DashboardApp.checkTerminal() } catch { throw CLIError("\(error)") }
        }
        let dir =
            try into.map { RunDirectory(path: $0) } ?? RunDirectory.create(root: runsDir, name: experiment.spec.name)
        let lock = try RunLock(directory: dir.path)
        defer { lock.release() }
        let header = LogHeader(
            program: programVersion, spec: experiment.spec.text, seed: experiment.settings.seed,
            simulated: experiment.spec.simulated, baseDirectory: experiment.baseDirectory)
        let log: LogWriter
        do {
            log = try LogWriter(
                creating: dir.eventsPath, header: header, segmentBytes: LogSegments.configuredSegmentBytes())
        } catch {
            throw CLIError("\(error)")
        }
        let tuner = try experiment.makeTuner(sinks: [log], spillDirectory: dir.path, runDirectory: dir.path)
        tuner.keepCheckpoints(
            in: try CheckpointStore(directory: dir.checkpointsPath) { log.flush() },
            keeping: experiment.spec.keepCheckpoints)
        try RunDriver.driveToExit(
            tuner, log: log, dir: dir, display: display, keep: experiment.keepCheckpoints, background: background,
            lock: lock)
    }

    /// `--detach`: the spec is checked here (its mistakes are reported in the foreground), the run
    /// directory made, and a daemon started to write it.
    private func startInBackground(_ experiment: Experiment) throws {
        let dir = try RunDirectory.create(root: runsDir, name: experiment.spec.name)
        let pid = try Detach.startDaemon(
            runDirectory: dir.path, extra: ["--headless", "--into", dir.path], diagnostics: dir.diagnosticsPath)
        let shown = Sanitizer.clean(dir.path, maxColumns: 200)
        print(
            """
            Started in the background (pid \(pid)): \(shown)
              ashb-top attach \(shown)    the dashboard
              ashb-top ls --runs-dir \(Sanitizer.clean(runsDir, maxColumns: 200))    the runs
            """)
    }
}
