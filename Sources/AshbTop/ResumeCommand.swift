import ASHA
import ArgumentParser
import Foundation
import Objectives
import RunLog
import TextSafety
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
            unless --extend adds trials (a run that ended on its time budget needs --extend-seconds); a run another live process is writing is refused.
            """)

    @Argument(help: "The run directory.")
    var directory: String

    @OptionGroup var displayFlags: DisplayFlags

    @Option(help: "Raise the trial budget by this many trials (to continue a finished run).")
    var extend = 0

    @Option(help: "Raise the time budget (budget.seconds) by this many seconds (a run that ended on its time budget).")
    var extendSeconds: Double = 0

    @Flag(help: "Continue the run in the background (a daemon), print how to attach, and exit.")
    var detach = false

    @Flag(help: "Skip corrupt lines in the log instead of stopping.")
    var lenient = false

    func validate() throws {
        guard extend >= 0 else { throw ValidationError("--extend must be 0 or more (got \(extend))") }
        guard extendSeconds >= 0, extendSeconds.isFinite else {
            throw ValidationError("--extend-seconds must be 0 or more (got \(extendSeconds))")
        }
    }

    func run() throws { try reportingErrors(execute) }

    /// Checks that the log `reader` folded (to its end) is still the file at its path, with nothing
    /// appended since: the run's lock keeps other `ashb-top`s out, and this catches anything else that
    /// replaced or wrote the file meanwhile, before a single byte is appended.
    static func checkUnchanged(_ reader: LogReader) throws {
        var st = stat()
        let changed = CLIError(
            "\(Sanitizer.clean(reader.path, maxColumns: 200)): cannot resume: the log changed while it was read "
                + "(another program is writing it?); nothing was appended")
        if reader.liveMissing {
            // A crash between a rotation's rename and create: the live segment must still be missing.
            guard stat(reader.path, &st) != 0 else { throw changed }
            return
        }
        guard stat(reader.path, &st) == 0 else {
            throw CLIError(
                "\(Sanitizer.clean(reader.path, maxColumns: 200)): cannot resume: the log disappeared while it was read"
            )
        }
        let identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        guard identity == reader.liveIdentity, Int(st.st_size) == reader.liveBytesRead else { throw changed }
    }

    /// The spec's sampler, except where the log shows that the spec meant another one when the run
    /// started: a spec without a `sampler` key whose log says `random` (the default before it became
    /// `tpe`) keeps random; a tpe run logged before `avoid_duplicates`, `split`, `revisit` or `exhausted`
    /// existed keeps the log's settings (off, `level`, off, `draw`). Its spec, parsed again, would now
    /// take the new defaults and sample differently from the log.
    static func samplerAsLogged(_ parsed: SamplerSettings, given: Bool = true, log path: String) -> SamplerSettings {
        guard let reader = try? LogReader(path: path), let first = try? reader.next(),
            case .runStarted(let info) = first.body
        else { return parsed }
        if !given, info.settings.sampler == .random { return .random }
        guard case .tpe(var tpe) = parsed, case .tpe(let logged) = info.settings.sampler else { return parsed }
        tpe.avoidDuplicates = logged.avoidDuplicates
        tpe.split = logged.split
        tpe.revisitStopped = logged.revisitStopped
        tpe.exhausted = logged.exhausted
        return tpe == logged ? .tpe(tpe) : parsed
    }

    /// Removes the spill files (`checkpoints-*.spill`) of processes that died: with the lock held, no
    /// live process is using one, and what they held is not needed (a resume restores trials from the
    /// checkpoint store, or trains them again).
    private func removeStaleSpills(in directory: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for n in names where n.hasPrefix("checkpoints-") && n.hasSuffix(".spill") { unlink(directory + "/" + n) }
    }

    private func execute() throws {
        if !displayFlags.headless, !detach { Detach.runInOwnSession() }
        let background = Background.adopt()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("'\(Sanitizer.clean(directory, maxColumns: 200))' is not a run directory")
        }
        let dir = RunDirectory(path: RunDirectory.trimmingSlashes(directory))
        if detach {
            // The daemon takes the lock and reads the log; what it refuses is in its diagnostics.
            if case .running(let pid) = RunStatus.inspect(dir.path).state {
                throw CLIError("the run is being written by a live process (pid \(pid)); not resuming it")
            }
            let pid = try Detach.startDaemon(
                runDirectory: dir.path, extra: ["--headless"], diagnostics: dir.diagnosticsPath)
            let shown = Sanitizer.clean(dir.path, maxColumns: 200)
            print(
                """
                Resumed in the background (pid \(pid)): \(shown)
                  ashb-top attach \(shown)    the dashboard
                """)
            return
        }
        let lock = try RunLock(directory: dir.path)
        defer { lock.release() }
        removeStaleSpills(in: dir.path)
        let reader: LogReader
        do { reader = try LogReader(path: dir.eventsPath, lenient: lenient) } catch { throw CLIError("\(error)") }
        var experiment = try Experiment.load(
            specText: reader.header.spec, label: "\(Sanitizer.clean(dir.eventsPath, maxColumns: 200)) (its spec)",
            baseDirectory: reader.header.baseDirectory, seed: reader.header.seed, workers: nil,
            simulate: reader.header.simulated, extraTrials: extend, extraSeconds: extendSeconds, unknownNames: true)
        experiment.settings.sampler = Self.samplerAsLogged(
            experiment.settings.sampler, given: experiment.spec.samplerGiven, log: dir.eventsPath)
        // Every number in the log must be within the spec's limits before the tuner builds state from it.
        reader.limits = LogLimits(
            maxWorkers: 512, maxResource: experiment.settings.maxResource, brackets: experiment.settings.brackets,
            strict: true)
        if let slurm = experiment.slurmLauncher(runDirectory: dir.path) { cancelLeftovers(slurm, dir: dir) }
        let tuner = try experiment.makeTuner(sinks: [], spillDirectory: dir.path, runDirectory: dir.path)
        do {
            try tuner.restore(from: reader)
        } catch {
            throw CLIError("\(Sanitizer.clean(dir.eventsPath, maxColumns: 200)): cannot resume: \(error)")
        }
        for w in reader.warnings {
            Console.err("ashb-top: \(dir.eventsPath): \(w)\n")
        }
        if tuner.restoredEndReason == .timeBudget, extendSeconds == 0 {
            // More trials would end again at once: the time is what ran out.
            Console.out(
                "The run in \(dir.path) ended on its time budget; nothing to resume. "
                    + "--extend-seconds S gives it S more seconds (and --extend N, N more trials).\n")
            return
        }
        if let reason = tuner.restoredEndReason, reason.isNaturalEnd, reason != .timeBudget, extend == 0 {
            Console.out(
                "The run in \(dir.path) is finished (\(reason)); nothing to resume. --extend N adds N trials.\n")
            return
        }
        try Self.checkUnchanged(reader)
        let log: LogWriter
        do {
            log = try LogWriter(
                appendingTo: dir.eventsPath, validLength: reader.liveValidLength,
                segmentBytes: LogSegments.configuredSegmentBytes())
        } catch {
            throw CLIError("\(error)")
        }
        tuner.addSink(log)
        tuner.keepCheckpoints(
            in: try CheckpointStore(directory: dir.checkpointsPath) { log.flush() },
            keeping: experiment.spec.keepCheckpoints)
        let display = displayFlags.options(simulated: experiment.spec.simulated)
        try RunDriver.driveToExit(
            tuner, log: log, dir: dir, display: display, keep: experiment.keepCheckpoints, background: background,
            lock: lock)
    }

    /// Cancels the Slurm jobs an earlier process of the run left (its log's started jobs that still run,
    /// and any job named after the run), before the run goes on.
    private func cancelLeftovers(_ slurm: SlurmLauncher, dir: RunDirectory) {
        var notes: [String] = []
        var placements: [(executor: String, target: String)] = []
        if let events = try? LogReader(path: dir.eventsPath, lenient: true).readAll() {
            for event in events {
                if case .message(_, let text) = event.body { notes.append(text) }
                if case .jobPlaced(_, _, let p) = event.body { placements.append((p.executor, p.target)) }
            }
        }
        let cancelled = SlurmLeftovers.cancel(
            namePrefix: slurm.namePrefix, targets: SlurmLeftovers.targets(placements: placements, notes: notes))
        if !cancelled.isEmpty {
            FileHandle.standardError.write(
                Data(
                    "ashb-top: cancelled \(cancelled.count) Slurm job(s) left by the run's earlier process: \(cancelled.joined(separator: ", "))\n"
                        .utf8))
        }
    }
}
