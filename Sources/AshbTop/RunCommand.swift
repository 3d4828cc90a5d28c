import ASHA
import ArgumentParser
import Foundation
import Objectives
import RunLog
import Tuner

/// `ashb-top run [SPEC]`: runs an experiment with the live dashboard, or headless.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a tuning experiment (the built-in digits demo when no spec is given).",
        discussion: """
            Every run is recorded to <runs-dir>/<name>-<UTC time>/events.jsonl. The dashboard is shown when \
            standard output is a terminal; otherwise (or with --headless, and always on the simulated clock, \
            which finishes in seconds) one line is printed per notable event and a summary at the end. \
            Ctrl-C or SIGTERM stops the run gracefully and closes its log (exit 130 or 143). A mistake in the \
            spec exits with status 2 and names the key and the line.
            """)

    @Argument(help: "The experiment spec (YAML). Without it, the built-in demo runs.")
    var spec: String?

    @Flag(help: "Print progress lines and a summary instead of the dashboard.")
    var headless = false

    @Option(help: "Directory that holds run directories.")
    var runsDir = "runs"

    @Option(help: "Override the spec's seed.")
    var seed: UInt64?

    @Option(help: "Override the spec's number of workers.")
    var workers: Int?

    @Flag(help: "Run on the simulated clock (virtual workers, declared step costs; fast and reproducible).")
    var simulate = false

    @Flag(help: "Draw the dashboard with ASCII characters only.")
    var ascii = false

    @Flag(help: "Draw the dashboard without colours (also honoured: the NO_COLOR environment variable).")
    var noColor = false

    func validate() throws {
        if let workers, workers < 1 || workers > 512 {
            throw ValidationError("--workers must be between 1 and 512 (got \(workers))")
        }
    }

    func run() throws { try reportingErrors(execute) }

    private func execute() throws {
        let experiment = try Experiment.load(specPath: spec, seed: seed, workers: workers, simulate: simulate)
        let dir = try RunDirectory.create(root: runsDir, name: experiment.spec.name)
        let lock = try RunLock(directory: dir.path)
        defer { lock.release() }
        let header = LogHeader(
            program: programVersion, spec: experiment.spec.text, seed: experiment.settings.seed,
            simulated: experiment.spec.simulated, baseDirectory: experiment.baseDirectory)
        let log: LogWriter
        do {
            log = try LogWriter(creating: dir.eventsPath, header: header)
        } catch {
            throw CLIError("\(error)")
        }
        let tuner = try experiment.makeTuner(sinks: [log], spillDirectory: dir.path)
        tuner.keepCheckpoints(in: try CheckpointStore(directory: dir.checkpointsPath) { log.flush() })
        let display = DisplayOptions(headless: headless || experiment.spec.simulated, ascii: ascii, noColor: noColor)
        try RunDriver.drive(tuner, log: log, dir: dir, display: display)
    }
}

/// A spec resolved against its objective: everything needed to make a tuner.
struct Experiment {
    var spec: ExperimentSpec
    /// The absolute directory the spec's relative paths resolve against.
    var baseDirectory: String?
    var objective: any Objective
    var space: SearchSpace
    var settings: SchedulerSettings

    /// Reads and checks the spec (the demo when `specPath` is nil) and applies command-line overrides.
    static func load(specPath: String?, seed: UInt64?, workers: Int?, simulate: Bool) throws -> Experiment {
        let text: String
        var baseDirectory: String?
        if let specPath {
            do {
                text = try String(contentsOfFile: specPath, encoding: .utf8)
            } catch {
                throw CLIError("cannot read the spec '\(terminalSafe(specPath))': \(error.localizedDescription)")
            }
            let dir = (specPath as NSString).deletingLastPathComponent
            baseDirectory = URL(fileURLWithPath: dir.isEmpty ? "." : dir).standardizedFileURL.path
        } else {
            text = demoSpecText
        }
        let label = specPath.map { terminalSafe($0) } ?? "built-in demo spec"
        return try load(
            specText: text, label: label, baseDirectory: baseDirectory, seed: seed, workers: workers,
            simulate: simulate)
    }

    /// Checks a spec's text (`label` names it in errors) and applies command-line overrides.
    static func load(
        specText text: String, label: String, baseDirectory: String?, seed: UInt64?, workers: Int?, simulate: Bool,
        extraTrials: Int = 0
    ) throws -> Experiment {
        var spec: ExperimentSpec
        do {
            spec = try SpecParser.parse(text, defaultName: "run")
        } catch {
            throw CLIError("\(label): \(error)", exitCode: 2)
        }
        if let seed { spec.settings.seed = seed }
        if let workers { spec.workers = workers }
        if simulate { spec.simulated = true }
        let objective: any Objective
        do {
            objective = try ObjectiveCatalog.make(
                name: spec.objective, options: spec.objectiveOptions, baseDirectory: baseDirectory)
        } catch {
            throw CLIError("\(label): 'objective': \(error)", exitCode: 2)
        }
        var settings = spec.settings
        if !spec.goalGiven { settings.goal = objective.goal }
        if extraTrials > 0, let m = settings.maxTrials { settings.maxTrials = m + extraTrials }
        if let cap = objective.maxResource, settings.maxResource > cap {
            throw CLIError(
                "\(label): 'scheduler.max_resource': \(settings.maxResource) is more than \(objective.name) "
                    + "can train to (\(cap))", exitCode: 2)
        }
        let space = spec.space ?? objective.defaultSpace
        do {
            _ = try ASHAScheduler(space: space, settings: settings)
        } catch {
            throw CLIError("\(label): 'scheduler': \(error)", exitCode: 2)
        }
        return Experiment(
            spec: spec, baseDirectory: baseDirectory, objective: objective, space: space, settings: settings)
    }

    /// A tuner for this experiment; with `spillDirectory`, idle trials' state waits on disk, not in memory.
    func makeTuner(sinks: [any EventSink], spillDirectory: String? = nil) throws -> Tuner {
        try Tuner(
            objective: objective, space: space, settings: settings,
            options: TunerOptions(
                name: spec.name, workers: spec.workers, maxSeconds: spec.maxSeconds, trialTimeLimit: spec.trialSeconds,
                spillDirectory: spillDirectory),
            backend: spec.simulated ? .simulated : .dispatch, sinks: sinks)
    }
}
