import ArgumentParser
import Foundation
import Objectives
import RunLog
import Tuner

/// `ashb-top resume RUN`: continues a run whose process died or was stopped.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run that died or was stopped, from its log, with its rungs intact.",
        discussion: """
            The scheduler's state is rebuilt by folding the run's log: sampled configurations, every rung entry, \
            promotions, stops, kills and budget used. Trials that were running or paused continue from their \
            last checkpoint (or train again from zero, with a message in the log, when it is missing). New \
            trials are the ones an uninterrupted run would have sampled. A finished run is left as it is \
            unless --extend adds trials; a run another live process is writing is refused.
            """)

    @Argument(help: "The run directory.")
    var directory: String

    @Flag(help: "Print progress lines and a summary instead of the dashboard.")
    var headless = false

    @Option(help: "Raise the trial budget by this many trials (to continue a finished run).")
    var extend = 0

    @Flag(help: "Skip corrupt lines in the log instead of stopping.")
    var lenient = false

    @Flag(help: "Draw the dashboard with ASCII characters only.")
    var ascii = false

    @Flag(help: "Draw the dashboard without colours.")
    var noColor = false

    func validate() throws {
        guard extend >= 0 else { throw ValidationError("--extend must be 0 or more (got \(extend))") }
    }

    func run() throws { try reportingErrors(execute) }

    private func execute() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("'\(terminalSafe(directory))' is not a run directory")
        }
        let dir = RunDirectory(path: directory)
        let lock = try RunLock(directory: dir.path)
        defer { lock.release() }
        let reader: LogReader
        do { reader = try LogReader(path: dir.eventsPath, lenient: lenient) } catch { throw CLIError("\(error)") }
        let experiment = try Experiment.load(
            specText: reader.header.spec, label: "\(terminalSafe(dir.eventsPath)) (its spec)",
            baseDirectory: reader.header.baseDirectory, seed: reader.header.seed, workers: nil,
            simulate: reader.header.simulated, extraTrials: extend)
        if let slurm = experiment.slurmLauncher(runDirectory: dir.path) { cancelLeftovers(slurm, dir: dir) }
        let tuner = try experiment.makeTuner(sinks: [], spillDirectory: dir.path, runDirectory: dir.path)
        do {
            try tuner.restore(from: reader)
        } catch {
            throw CLIError("\(terminalSafe(dir.eventsPath)): cannot resume: \(error)")
        }
        for w in reader.warnings {
            FileHandle.standardError.write(Data("ashb-top: \(terminalSafe(dir.eventsPath)): \(w)\n".utf8))
        }
        if let reason = tuner.restoredEndReason, reason.isNaturalEnd, extend == 0 {
            print(
                "The run in \(terminalSafe(directory)) is finished (\(reason)); nothing to resume. --extend N adds N trials."
            )
            return
        }
        let log: LogWriter
        do {
            log = try LogWriter(appendingTo: dir.eventsPath, validLength: reader.validLength)
        } catch {
            throw CLIError("\(error)")
        }
        tuner.addSink(log)
        tuner.keepCheckpoints(in: try CheckpointStore(directory: dir.checkpointsPath) { log.flush() })
        let display = DisplayOptions(headless: headless || experiment.spec.simulated, ascii: ascii, noColor: noColor)
        try RunDriver.drive(tuner, log: log, dir: dir, display: display, keep: experiment.keepCheckpoints)
    }

    /// Cancels the Slurm jobs an earlier process of the run left (its log's started jobs that still run,
    /// and any job named after the run), before the run goes on.
    private func cancelLeftovers(_ slurm: SlurmLauncher, dir: RunDirectory) {
        var notes: [String] = []
        if let events = try? LogReader(path: dir.eventsPath, lenient: true).readAll() {
            for event in events {
                if case .message(_, let text) = event.body { notes.append(text) }
            }
        }
        let cancelled = SlurmLeftovers.cancel(
            namePrefix: slurm.namePrefix, targets: SlurmLeftovers.targets(inNotes: notes))
        if !cancelled.isEmpty {
            FileHandle.standardError.write(
                Data(
                    "ashb-top: cancelled \(cancelled.count) Slurm job(s) left by the run's earlier process: \(cancelled.joined(separator: ", "))\n"
                        .utf8))
        }
    }
}
