import ASHA
import Foundation
import Objectives
import RunLog
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
            guard FileManager.default.fileExists(atPath: specPath) else {
                throw CLIError("cannot read the spec '\(terminalSafe(specPath))': no such file")
            }
            guard let data = FileManager.default.contents(atPath: specPath) else {
                throw CLIError("cannot read the spec '\(terminalSafe(specPath))': not a readable file")
            }
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw CLIError("cannot read the spec '\(terminalSafe(specPath))': not UTF-8 text", exitCode: 2)
            }
            text = decoded
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
        if let workers {
            spec.workers = workers
            spec.workersGiven = true
        }
        if simulate { spec.simulated = true }
        var objective: any Objective
        do {
            objective = try ObjectiveCatalog.make(
                name: spec.objective, options: spec.objectiveOptions, baseDirectory: baseDirectory)
        } catch {
            throw CLIError("\(label): 'objective': \(error)", exitCode: 2)
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
            let at = spec.metricLine.map { "line \($0): " } ?? ""
            throw CLIError(
                "\(label): \(at)'metric': \(objective.name) reports '\(objective.metric)', not '\(terminalSafe(metric))'",
                exitCode: 2)
        }
        if !spec.goalGiven { settings.goal = objective.goal }
        if extraTrials > 0, let m = settings.maxTrials { settings.maxTrials = m + extraTrials }
        if let cap = objective.maxResource, settings.maxResource > cap {
            throw CLIError(
                "\(label): 'scheduler.max_resource': \(settings.maxResource) is more than \(objective.name) "
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
            throw CLIError("\(label): 'scheduler': \(error)", exitCode: 2)
        }
        return Experiment(
            spec: spec, baseDirectory: baseDirectory, objective: objective, space: space, settings: settings,
            maxWorkers: maxWorkers)
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
