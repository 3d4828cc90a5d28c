import ASHA
import Foundation
import Synchronization

/// Tunes an external training program: each trial runs the command once, in its own process group,
/// and reads one JSON line per step from its standard output.
///
/// The protocol (see README, "Your own objective: `command`"):
/// - The child gets the trial's configuration as one JSON object in `ASHB_CONFIG`, and
///   `ASHB_SEED` (the trial's seed, decimal) and `ASHB_MAX_RESOURCE`; standard input is /dev/null.
/// - It trains up to `max_resource`, writing after each step a line
///   `{"resource": 3, "value": 0.213}` (optionally `"seconds": 1.5`), flushed. Resources must
///   increase; every non-blank line must be such an object (logs go to standard error).
/// - Between steps the group is stopped (SIGSTOP) unless `stop_between_steps` is false, and
///   continued (SIGCONT) when the tuner wants the next step.
/// - When the trial ends for any reason, the group gets SIGTERM, then SIGKILL after
///   `grace_seconds`, and the child is reaped.
///
/// Trials keep their state in the live process: `checkpoint()` is nil, and a resumed run trains
/// them again from zero.
public struct CommandObjective: Objective {
    /// Always `command`.
    public var name: String { "command" }
    /// The metric's name (the child's `value`).
    public let metric: String
    /// Whether the metric is minimised or maximised.
    public let goal: Goal
    /// Empty: a command's hyperparameters are whatever the spec's `space` says.
    public let defaultSpace: SearchSpace
    /// The resource the command trains to.
    public let maxResource: Int?
    /// The program and its arguments, relative paths already resolved.
    public let argv: [String]
    /// Seconds between SIGTERM and SIGKILL when a trial's process group is terminated.
    public let graceSeconds: Double
    /// Whether the process group is stopped (SIGSTOP) while the tuner does not want a step.
    public let stopBetweenSteps: Bool
    /// Where the trials' programs run: local child processes, or Slurm jobs.
    public private(set) var executor: CommandExecutor
    /// The Slurm launcher, when the executor is Slurm.
    private(set) var slurm: SlurmLauncher?
    /// How often a trial's program is launched again after the cluster ended it (0 for local).
    var maxRetries: Int {
        if case .slurm(let s) = executor { return s.maxRetries }
        return 0
    }
    /// Launches so far in this process: numbers the Slurm job names.
    private static let launches = Atomic<Int>(0)
    /// The longest output line accepted, in bytes.
    public static let maxLineBytes = 65_536
    /// How much of a child's standard error is kept for failure messages, in bytes.
    public static let stderrTailBytes = 4_096

    /// Makes the objective from the `run` command line, split into words (see `CommandWords`).
    ///
    /// A program given with a slash in its name, and any later word that does not start with `-`
    /// and names an existing file relative to `baseDirectory`, are made absolute against
    /// `baseDirectory`. A program without a slash is looked up in `PATH`.
    public init(
        run: String, metric: String = "loss", goal: Goal = .minimize, maxResource: Int = 81,
        graceSeconds: Double = 5, stopBetweenSteps: Bool = true, baseDirectory: String? = nil,
        executor: CommandExecutor = .local, jobTag: String = ""
    ) throws(ObjectiveError) {
        var words: [String]
        do {
            words = try CommandWords.split(run)
        } catch {
            throw ObjectiveError("command: option 'run' cannot be split into words: \(error)")
        }
        guard !words.isEmpty else { throw ObjectiveError("command: option 'run' is empty") }
        guard maxResource >= 1 else { throw ObjectiveError("command: option 'max_resource' must be ≥ 1") }
        guard !metric.isEmpty else { throw ObjectiveError("command: option 'metric' is empty") }
        if let base = baseDirectory {
            let baseURL = URL(fileURLWithPath: base)
            if words[0].contains("/"), !words[0].hasPrefix("/") {
                words[0] = baseURL.appendingPathComponent(words[0]).standardizedFileURL.path
            }
            for i in words.indices.dropFirst() where !words[i].hasPrefix("-") && !words[i].hasPrefix("/") {
                guard !words[i].isEmpty else { continue }
                let candidate = baseURL.appendingPathComponent(words[i]).standardizedFileURL.path
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue
                {
                    words[i] = candidate
                }
            }
        }
        argv = words
        self.metric = metric
        self.goal = goal
        self.maxResource = maxResource
        self.graceSeconds = graceSeconds
        self.stopBetweenSteps = stopBetweenSteps
        self.executor = executor
        slurm = Self.launcher(executor, jobTag: jobTag)
        do {
            defaultSpace = try SearchSpace([])
        } catch {
            throw ObjectiveError("command: empty search space rejected: \(error)")
        }
    }

    /// The same objective with its trials' programs launched by `executor`; `jobTag` (e.g. the run's
    /// name) goes into Slurm job names, `ashb-<tag>-<n>`.
    public func with(executor: CommandExecutor, jobTag: String) -> CommandObjective {
        var copy = self
        copy.executor = executor
        copy.slurm = Self.launcher(executor, jobTag: jobTag)
        return copy
    }

    private static func launcher(_ executor: CommandExecutor, jobTag: String) -> SlurmLauncher? {
        guard case .slurm(let settings) = executor else { return nil }
        let tag = jobTag.isEmpty ? "p\(getpid())" : jobTag
        return SlurmLauncher(settings: settings, environment: ProcessInfo.processInfo.environment, tag: tag)
    }

    /// Starts the command for `config`; a program that cannot be started is an error.
    public func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        var environment = ProcessInfo.processInfo.environment
        environment["ASHB_CONFIG"] = Self.json(config)
        environment["ASHB_SEED"] = String(seed)
        environment["ASHB_MAX_RESOURCE"] = String(maxResource ?? 0)
        let words = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return CommandTrial(objective: self, process: try launch(environment: words), environment: words)
    }

    /// Starts the program with `environment` (full, `NAME=value`) where the executor says.
    func launch(environment: [String]) throws(ObjectiveError) -> any TrialProcess {
        if let slurm {
            let n = Self.launches.add(1, ordering: .relaxed).newValue
            return try slurm.launch(program: argv, environment: environment, name: "\(slurm.namePrefix)\(n)")
        }
        return try ChildProcess(argv: argv, environment: environment)
    }

    /// Waits until every trial's process group has been terminated and its leader reaped.
    public func runEnded() {
        CommandTerminations.waitForAll()
    }

    /// The configuration as one JSON object, in the configuration's order.
    public static func json(_ config: Configuration) -> String {
        let members = config.entries.map { entry -> String in
            let value: String
            switch entry.value {
            case .double(let d): value = d.isFinite ? "\(d)" : "null"
            case .int(let i): value = String(i)
            case .bool(let b): value = b ? "true" : "false"
            case .string(let s): value = quoted(s)
            }
            return "\(quoted(entry.name)):\(value)"
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
