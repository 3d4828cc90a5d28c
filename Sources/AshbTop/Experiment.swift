import ASHA
import Foundation
import Objectives
import RunLog
import TextSafety
import Tuner

/// A spec resolved against its objective: everything needed to make a tuner.
struct Experiment {
    var spec: ExperimentSpec
    /// The absolute directory the spec's relative paths resolve against.
    var baseDirectory: String?
    var objective: any Objective
    var space: SearchSpace
    var settings: SchedulerSettings
    /// The most worker slots (the number of GPU groups when `gpus` is given).
    var maxWorkers: Int?

    /// Reads and checks the spec (the demo when `specPath` is nil) and applies command-line overrides.
    static func load(specPath: String?, seed: UInt64?, workers: Int?, simulate: Bool) throws -> Experiment {
        let text: String
        var baseDirectory: String?
        if let specPath {
            text = try readSpec(specPath)
            let dir = (specPath as NSString).deletingLastPathComponent
            baseDirectory = URL(fileURLWithPath: dir.isEmpty ? "." : dir).standardizedFileURL.path
        } else {
            text = demoSpecText
        }
        let label = specPath.map { Sanitizer.clean($0, maxColumns: 200) } ?? "built-in demo spec"
        return try load(
            specText: text, label: label, baseDirectory: baseDirectory, seed: seed, workers: workers,
            simulate: simulate)
    }

    /// Reads a spec file: a regular file of at most `SpecParser.maxBytes` bytes of UTF-8 text. Anything
    /// else (missing, a directory, a FIFO, a device) is a spec error (exit 2), and nothing blocks: a FIFO
    /// is opened without waiting for a writer.
    static func readSpec(_ path: String) throws -> String {
        let name = Sanitizer.clean(path, maxColumns: 200)
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw CLIError("cannot read the spec '\(name)': \(reason)", exitCode: 2)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw CLIError("cannot read the spec '\(name)': not a regular file", exitCode: 2)
        }
        guard st.st_size <= SpecParser.maxBytes else {
            throw CLIError("cannot read the spec '\(name)': larger than \(SpecParser.maxBytes) bytes", exitCode: 2)
        }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                throw CLIError("cannot read the spec '\(name)': \(String(cString: strerror(errno)))", exitCode: 2)
            }
            if n == 0 { break }
            count += n
        }
        guard count <= SpecParser.maxBytes else {
            throw CLIError("cannot read the spec '\(name)': larger than \(SpecParser.maxBytes) bytes", exitCode: 2)
        }
        guard let text = String(validating: bytes[..<count], as: UTF8.self) else {
            throw CLIError("cannot read the spec '\(name)': not UTF-8 text", exitCode: 2)
        }
        return text
    }

    /// Checks a spec's text (`label` names it in errors) and applies command-line overrides.
    static func load(
        specText text: String, label: String, baseDirectory: String?, seed: UInt64?, workers: Int?, simulate: Bool,
        extraTrials: Int = 0, extraSeconds: Double = 0, unknownNames: Bool = false
    ) throws -> Experiment {
        var spec: ExperimentSpec
        do {
            spec = try SpecParser.parse(text, defaultName: "run")
        } catch {
            throw CLIError("\(label): \(error)", exitCode: 2)
        }
        if let seed { spec.settings.seed = seed }
        if let workers {
            spec.workers = workers
            spec.workersGiven = true
        }
        if simulate { spec.simulated = true }
        if extraSeconds > 0, let m = spec.maxSeconds { spec.maxSeconds = m + extraSeconds }
        var objective: any Objective
        do {
            objective = try ObjectiveCatalog.make(
                name: spec.objective, options: spec.objectiveOptions, baseDirectory: baseDirectory)
        } catch {
            // The objective names the option at fault as "option 'key'": point at that option's line.
            let option = spec.objectiveOptionLines.keys.first { "\(error)".contains("option '\($0)'") }
            let line = option.flatMap { spec.objectiveOptionLines[$0] } ?? spec.objectiveLine
            let key = option.map { "objective.\($0)" } ?? "objective"
            throw CLIError("\(label): line \(line): '\(key)': \(error)", exitCode: 2)
        }
        // One rule for every checkpoint: a top-level keep_checkpoints also rules a command's directories.
        if spec.keepCheckpointsGiven, var command = objective as? CommandObjective {
            command.keepCheckpoints = spec.keepCheckpoints
            objective = command
        }
        if case .slurm(let slurm) = spec.executor {
            guard var command = objective as? CommandObjective else {
                let at = spec.executorLine.map { "line \($0): " } ?? ""
                throw CLIError(
                    "\(label): \(at)'executor': only the command objective runs its trials on an executor; "
                        + "\(objective.name) trains inside ashb-top", exitCode: 2)
            }
            if spec.gpus != nil {
                throw CLIError(
                    "\(label): \(spec.gpusLine.map { "line \($0): " } ?? "")'gpus': on Slurm the cluster assigns "
                        + "GPUs; use 'executor.gpus_per_task'", exitCode: 2)
            }
            command.launcher = SlurmLauncher(
                settings: slurm, environment: ProcessInfo.processInfo.environment, tag: spec.name)
            objective = command
        }
        var settings = spec.settings
        if let metric = spec.metric, metric != objective.metric {
            let at = "line \(spec.metricLine ?? 1): "
            throw CLIError(
                "\(label): \(at)'metric': \(objective.name) reports '\(objective.metric)', not '\(Sanitizer.clean(metric, maxColumns: 200))'",
                exitCode: 2)
        }
        if !spec.goalGiven { settings.goal = objective.goal }
        if extraTrials > 0, let m = settings.maxTrials { settings.maxTrials = m + extraTrials }
        if let cap = objective.maxResource, settings.maxResource > cap {
            throw CLIError(
                "\(label): line \(spec.maxResourceLine ?? spec.schedulerLine ?? spec.objectiveLine): "
                    + "'scheduler.max_resource': \(settings.maxResource) is more than \(objective.name) "
                    + "can train to (\(cap))", exitCode: 2)
        }
        var maxWorkers: Int?
        if let gpus = spec.gpus {
            let groups = try gpuGroups(gpus, spec: spec, label: label)
            guard var command = objective as? CommandObjective, command.checkpoint else {
                throw CLIError(
                    "\(label): \(spec.gpusLine.map { "line \($0): " } ?? "")'gpus': GPUs are assigned to the command "
                        + "objective with checkpoint: true (a process that outlives its job would keep its GPU)",
                    exitCode: 2)
            }
            command.gpuGroups = groups
            objective = command
            if !spec.workersGiven {
                spec.workers = groups.count
            } else if spec.workers > groups.count {
                throw CLIError(
                    "\(label): 'workers': \(spec.workers) workers, but 'gpus' makes \(groups.count) group(s) of "
                        + "\(spec.gpusPerWorker) device(s)", exitCode: 2)
            }
            maxWorkers = groups.count
        }
        let space = spec.space ?? objective.defaultSpace
        do {
            _ = try ASHAScheduler(space: space, settings: settings)
        } catch {
            throw CLIError("\(label): line \(spec.schedulerLine ?? 1): 'scheduler': \(error)", exitCode: 2)
        }
        let configured: any Objective
        do {
            configured = try Self.configure(objective, for: space, unknownNames: unknownNames)
        } catch let e as SpaceParameterError {
            // A value the objective refuses: point at the parameter's line (the space's, when it lacks one).
            let line = e.isMissing ? spec.spaceLine : spec.spaceParameterLines[e.parameter]
            let at = line.map { "line \($0): " } ?? ""
            let key = e.isMissing ? "space" : "space.\(e.parameter)"
            throw CLIError("\(label): \(at)'\(key)': \(Sanitizer.clean(e.message, maxColumns: 400))", exitCode: 2)
        } catch {
            throw CLIError("\(label): 'objective': \(error)", exitCode: 2)
        }
        return Experiment(
            spec: spec, baseDirectory: baseDirectory, objective: configured, space: space, settings: settings,
            maxWorkers: maxWorkers)
    }

    /// The objective configured for `space`. With `unknownNames` (a recorded run resumed: it ran before
    /// such names were refused), hyperparameters the objective does not read are left out of the check
    /// and stay in the run's space.
    static func configure(_ objective: any Objective, for space: SearchSpace, unknownNames: Bool) throws
        -> any Objective
    {
        var checked = space
        while true {
            do {
                return try objective.configured(for: checked)
            } catch let e as SpaceParameterError where unknownNames && e.isUnknown {
                checked = try SearchSpace(checked.parameters.filter { $0.name != e.parameter })
            }
        }
    }

    /// The devices of each worker slot: the `gpus` list (or `nvidia-smi -L`'s) cut into groups of
    /// `gpus_per_worker`.
    static func gpuGroups(_ gpus: GPUList, spec: ExperimentSpec, label: String) throws -> [[String]] {
        let at = spec.gpusLine.map { "line \($0): " } ?? ""
        let devices: [String]
        switch gpus {
        case .devices(let list): devices = list
        case .auto:
            do {
                devices = try GPUProbe.devices()
            } catch {
                throw CLIError("\(label): \(at)'gpus': auto: \(error)", exitCode: 2)
            }
        }
        let per = spec.gpusPerWorker
        guard devices.count % per == 0 else {
            throw CLIError(
                "\(label): 'gpus_per_worker': \(per) does not divide the \(devices.count) device(s) of 'gpus'",
                exitCode: 2)
        }
        return stride(from: 0, to: devices.count, by: per).map { Array(devices[$0..<($0 + per)]) }
    }

    /// Which checkpoint directories stay at the end (a command objective with checkpoints), or nil.
    var keepCheckpoints: KeepCheckpoints? {
        guard let command = objective as? CommandObjective, command.checkpoint else { return nil }
        return command.keepCheckpoints
    }

    /// The Slurm launcher of a command objective whose executor is Slurm, its job names tagged with the
    /// run directory's name (so that `resume` finds what an earlier process of the run left); else nil.
    func slurmLauncher(runDirectory: String) -> SlurmLauncher? {
        guard case .slurm(let settings) = spec.executor, objective is CommandObjective else { return nil }
        return SlurmLauncher(
            settings: settings, environment: ProcessInfo.processInfo.environment,
            tag: (runDirectory as NSString).lastPathComponent)
    }

    /// A tuner for this experiment; with `spillDirectory`, idle trials' state waits on disk, not in memory.
    /// `runDirectory` is where a command's trials keep their directories.
    func makeTuner(sinks: [any EventSink], spillDirectory: String? = nil, runDirectory: String? = nil) throws -> Tuner {
        var objective = self.objective
        if var command = objective as? CommandObjective, let runDirectory {
            command.runDirectory = runDirectory
            if let slurm = slurmLauncher(runDirectory: runDirectory) { command.launcher = slurm }
            objective = command
        }
        return try Tuner(
            objective: objective, space: space, settings: settings,
            options: TunerOptions(
                name: spec.name, workers: spec.workers, maxSeconds: spec.maxSeconds, trialTimeLimit: spec.trialSeconds,
                spillDirectory: spillDirectory, maxFailures: spec.maxFailures > 0 ? spec.maxFailures : nil,
                maxWorkers: maxWorkers, workerDevices: (objective as? CommandObjective)?.gpuGroups.nilIfEmpty,
                executor: spec.executor == .local ? nil : spec.executor.description),
            backend: spec.simulated ? .simulated : .dispatch, sinks: sinks)
    }
}

extension Array {
    /// nil when empty.
    fileprivate var nilIfEmpty: Self? { isEmpty ? nil : self }
}
