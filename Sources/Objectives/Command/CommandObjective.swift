import ASHA
import Foundation

/// Tunes an external training program: each trial runs the command, in its own process group, and
/// reads one JSON line per step from its standard output.
///
/// The protocol (see README, "Tuning your own training script"):
/// - The child gets the trial's configuration as one JSON object in `ASHB_CONFIG`, `ASHB_SEED` (the
///   trial's seed, decimal), `ASHB_MAX_RESOURCE`, `ASHB_TRIAL` (the trial id), `ASHB_RUN_DIR`,
///   `ASHB_WORKER` (its worker slot) and, when the spec assigns GPUs, `CUDA_VISIBLE_DEVICES`;
///   standard input is /dev/null.
/// - It trains up to `max_resource`, writing after each step a line
///   `{"resource": 3, "value": 0.213}` (optionally `"seconds": 1.5`), flushed. Resources must
///   increase; every non-blank line must be such an object (logs go to standard error, which is kept
///   in the trial's `stderr.log`).
/// - With `checkpoint: true`, it also gets `ASHB_CHECKPOINT_DIR`, a directory of the trial's own that
///   outlives its processes: it saves its state there before it writes a step's line, and on start
///   continues from it when it is not empty. `ASHB_JOB_RESOURCE` is the resource its job trains to
///   (the next rung): it may exit 0 there. The process is ended when the trial's job is over (at a
///   rung, on a pause, at the end of the run), and a later process continues from the checkpoint:
///   its first line must report a resource beyond the last one the trial reported (`ASHB_RESOURCE`).
/// - With `checkpoint: false`, the trial keeps one process for its whole life, stopped (SIGSTOP)
///   between steps and continued (SIGCONT) when the tuner wants the next step.
/// - When a process is ended, its group gets SIGTERM, then SIGKILL after `grace_seconds`.
///
/// The processes are started by a `ProcessLauncher` (this machine's by default).
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
    /// Whether trials save to a checkpoint directory and hold a process only while a job runs.
    public let checkpoint: Bool
    /// Which trials' checkpoint directories stay: `best` (the default) keeps the run's best trial's at
    /// the end, `all` keeps every one, `none` keeps none once the run is over.
    public var keepCheckpoints: KeepCheckpoints = .best
    /// What starts the trials' processes.
    public var launcher: any ProcessLauncher
    /// The run's directory: trials keep `trials/<id>/checkpoint/` and `trials/<id>/stderr.log` there.
    /// Outside a run (nil), a private temporary directory is used.
    public var runDirectory: String? {
        didSet { trialsRoot = Self.trialsRoot(runDirectory) }
    }
    /// The devices each worker slot gets (`CUDA_VISIBLE_DEVICES`), slot `w` taking group
    /// `w % gpuGroups.count`; empty: no GPU variable is set.
    public var gpuGroups: [[String]] = []
    /// Where the trials' directories go.
    public private(set) var trialsRoot: String
    /// The longest output line accepted, in bytes.
    public static let maxLineBytes = 65_536
    /// How much of a child's standard error is kept for failure messages, in bytes.
    public static let stderrTailBytes = 4_096
    /// The size at which a trial's `stderr.log` is rotated (it keeps one older file).
    public static let stderrLogBytes = 1 << 20

    /// Makes the objective from the `run` command line, split into words (see `CommandWords`).
    ///
    /// A program given with a slash in its name, and any later word that does not start with `-`
    /// and names an existing file relative to `baseDirectory`, are made absolute against
    /// `baseDirectory`. A program without a slash is looked up in `PATH`.
    public init(
        run: String, metric: String = "loss", goal: Goal = .minimize, maxResource: Int = 81,
        graceSeconds: Double = 5, stopBetweenSteps: Bool = true, checkpoint: Bool = false,
        baseDirectory: String? = nil, launcher: any ProcessLauncher = LocalProcessLauncher()
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
        self.checkpoint = checkpoint
        self.launcher = launcher
        trialsRoot = Self.trialsRoot(nil)
        do {
            defaultSpace = try SearchSpace([])
        } catch {
            throw ObjectiveError("command: empty search space rejected: \(error)")
        }
    }

    private static func trialsRoot(_ runDirectory: String?) -> String {
        if let runDirectory { return runDirectory + "/trials" }
        return NSTemporaryDirectory() + "ashb-command-\(getpid())-\(UUID().uuidString)/trials"
    }

    /// The directory of trial `trial` (its checkpoint directory and standard error log live there).
    public func trialDirectory(_ trial: Int) -> String { "\(trialsRoot)/\(trial)" }

    /// The checkpoint directory of trial `trial` (`ASHB_CHECKPOINT_DIR`).
    public func checkpointDirectory(_ trial: Int) -> String { trialDirectory(trial) + "/checkpoint" }

    /// The devices worker slot `worker` gets, or nil when no GPUs are assigned.
    public func devices(worker: Int) -> [String]? {
        gpuGroups.isEmpty ? nil : gpuGroups[worker % gpuGroups.count]
    }

    /// A trial outside a run (trial id 0).
    public func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        try makeTrial(config: config, seed: seed, trial: 0)
    }

    /// Makes the trial; its first process starts at its first step. A program that cannot be found is
    /// an error now.
    public func makeTrial(config: Configuration, seed: UInt64, trial: Int) throws -> any ObjectiveTrial {
        try checkProgram()
        try prepareDirectory(trial, fresh: true)
        return CommandTrial(objective: self, trial: trial, config: config, seed: seed, resource: 0)
    }

    /// A resumed run's trial continues from its checkpoint directory (with `checkpoint: true`); throws
    /// when the directory is missing or empty although the trial had trained.
    public func continueTrial(config: Configuration, seed: UInt64, trial: Int, resource: Int) throws
        -> (any ObjectiveTrial)?
    {
        guard checkpoint else { return nil }
        try checkProgram()
        if resource > 0 {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: checkpointDirectory(trial))) ?? []
            guard !contents.isEmpty else {
                throw ObjectiveError(
                    "command: its checkpoint directory \(checkpointDirectory(trial)) is missing or empty")
            }
        }
        try prepareDirectory(trial, fresh: false)
        return CommandTrial(objective: self, trial: trial, config: config, seed: seed, resource: resource)
    }

    /// Creates the trial's directory (and checkpoint directory); `fresh` empties an old checkpoint.
    private func prepareDirectory(_ trial: Int, fresh: Bool) throws(ObjectiveError) {
        let fm = FileManager.default
        if fresh, checkpoint { try? fm.removeItem(atPath: checkpointDirectory(trial)) }
        do {
            try fm.createDirectory(
                atPath: checkpoint ? checkpointDirectory(trial) : trialDirectory(trial),
                withIntermediateDirectories: true)
        } catch {
            throw ObjectiveError(
                "command: cannot create the directory of trial \(trial): \(error.localizedDescription)")
        }
    }

    /// Fails early, naming the program, when it cannot be run.
    private func checkProgram() throws(ObjectiveError) {
        let program = argv[0]
        if program.contains("/") {
            guard access(program, X_OK) == 0 else {
                throw ObjectiveError("command: cannot start \(program): \(String(cString: strerror(errno)))")
            }
            return
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where access("\(dir)/\(program)", X_OK) == 0 { return }
        throw ObjectiveError("command: cannot start \(program): not found in PATH")
    }

    /// The environment of a process of `trial` on worker slot `worker`.
    func environment(trial: Int, config: Configuration, seed: UInt64, worker: Int?) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["ASHB_CONFIG"] = Self.json(config)
        environment["ASHB_SEED"] = String(seed)
        environment["ASHB_MAX_RESOURCE"] = String(maxResource ?? 0)
        environment["ASHB_JOB_RESOURCE"] = String(maxResource ?? 0)
        environment["ASHB_TRIAL"] = String(trial)
        environment["ASHB_RUN_DIR"] = runDirectory ?? (trialsRoot as NSString).deletingLastPathComponent
        if checkpoint { environment["ASHB_CHECKPOINT_DIR"] = checkpointDirectory(trial) }
        if let worker {
            environment["ASHB_WORKER"] = String(worker)
            if let devices = devices(worker: worker) {
                environment["CUDA_VISIBLE_DEVICES"] = devices.joined(separator: ",")
            }
        }
        return environment
    }

    /// Waits until every process whose end has begun is gone. Outside a run directory, the private
    /// temporary directory goes too.
    public func runEnded() {
        CommandTerminations.waitForAll()
        if runDirectory == nil {
            try? FileManager.default.removeItem(atPath: (trialsRoot as NSString).deletingLastPathComponent)
        }
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
