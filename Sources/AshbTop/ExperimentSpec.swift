import ASHA
import Objectives
import Tuner

/// An experiment as its YAML spec describes it (see README.md, "Experiment spec").
public struct ExperimentSpec: Sendable, Equatable {
    /// The run's name (directory names use a sanitized form).
    public var name: String
    /// The objective's catalog name and its options.
    public var objective: String
    public var objectiveOptions: [String: ParameterValue]
    /// The search space; nil means the objective's default space.
    public var space: SearchSpace?
    /// Scheduler settings (goal and seed included).
    public var settings: SchedulerSettings
    /// Whether `goal` was given (otherwise the objective's goal applies).
    public var goalGiven: Bool
    /// The metric the spec names (it must be the one the objective reports), and its line.
    public var metric: String?
    public var metricLine: Int?
    /// Lines of the `objective` key's value, of each of its options, of `scheduler` and of
    /// `scheduler.max_resource`: errors found later (by the objective or the scheduler) name them.
    public var objectiveLine = 1
    public var objectiveOptionLines: [String: Int] = [:]
    public var schedulerLine: Int?
    public var maxResourceLine: Int?
    /// Lines of the `space` key and of each of its parameters: an objective that refuses what a parameter
    /// can give names its line.
    public var spaceLine: Int?
    public var spaceParameterLines: [String: Int] = [:]
    public var workers: Int
    /// Wall-time budget in seconds.
    public var maxSeconds: Double?
    /// Per-trial time limit in seconds.
    public var trialSeconds: Double?
    /// The run stops after this many failed jobs in a row (`budget.max_failures`; 0: never).
    public var maxFailures: Int = 10
    /// Whether `workers` was given (with GPUs it otherwise defaults to the number of GPU groups).
    public var workersGiven = false
    /// Whether `sampler` was given (otherwise the default, `tpe`, applies; before 2026-12 it was `random`,
    /// which `resume` allows for logs that say so).
    public var samplerGiven = false
    /// The GPUs to assign to worker slots (`gpus`), and the line of the key.
    public var gpus: GPUList?
    public var gpusLine: Int?
    /// Devices per worker slot (`gpus_per_worker`).
    public var gpusPerWorker = 1
    /// Run on the simulated clock instead of real workers.
    public var simulated: Bool
    /// The spec's text, recorded in the log header.
    public var text: String
    /// Where a `command` objective's programs run (`executor:`), and the section's line.
    public var executor: CommandExecutor = .local
    public var executorLine: Int?
    /// Which in-process checkpoints stay once the run has ended (`keep_checkpoints`).
    public var keepCheckpoints: KeepCheckpoints = .best
    /// Whether the spec gave `keep_checkpoints` at its top level (it then rules a `command` objective's
    /// checkpoint directories too).
    public var keepCheckpointsGiven = false

    public init(
        name: String, objective: String, objectiveOptions: [String: ParameterValue] = [:], space: SearchSpace? = nil,
        settings: SchedulerSettings = SchedulerSettings(), goalGiven: Bool = false, workers: Int = 4,
        maxSeconds: Double? = nil, trialSeconds: Double? = nil, simulated: Bool = false, text: String = ""
    ) {
        self.name = name
        self.objective = objective
        self.objectiveOptions = objectiveOptions
        self.space = space
        self.settings = settings
        self.goalGiven = goalGiven
        self.workers = workers
        self.maxSeconds = maxSeconds
        self.trialSeconds = trialSeconds
        self.simulated = simulated
        self.text = text
    }
}

/// The `gpus` key: device ids, or `auto` (from `nvidia-smi -L`).
public enum GPUList: Sendable, Equatable {
    case devices([String])
    case auto
}

/// A mistake in a spec, naming the key and the line.
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dotted path of the key at fault, e.g. `space.lr.low`.
    public var key: String
    /// 1-based line in the spec, when known.
    public var line: Int?
    public var message: String

    public init(key: String, line: Int?, message: String) {
        self.key = key
        self.line = line
        self.message = message
    }

    public var description: String {
        let at = line.map { "line \($0): " } ?? ""
        return key.isEmpty ? "\(at)\(message)" : "\(at)'\(key)': \(message)"
    }
}
