import Foundation
import Synchronization

/// Launches a trial's program with `srun`: as a job step of the allocation ashb-top runs in when
/// `SLURM_JOB_ID` is set (e.g. under `salloc`), otherwise as a job of its own.
///
/// The program is started through `/bin/sh -c`, which first writes one start line to standard output,
/// `@ashb-slurm job=<id> step=<id> node=<name>`, then `exec`s the program with its words unchanged (the
/// words are arguments of the shell, never parsed by it). The start line tells ashb-top that the job
/// left the queue, and where it runs.
public struct SlurmLauncher: ProcessLauncher {
    /// What the spec asked for.
    public let settings: SlurmSettings
    /// The allocation trials run in as steps, when ashb-top itself runs inside one.
    public let allocation: String?
    /// The prefix of every job's (or step's) name: `ashb-<tag>-`.
    public let namePrefix: String

    /// The start line's first word.
    static let startWord = "@ashb-slurm"

    /// Launches so far in this process: numbers the job names.
    private static let launches = Atomic<Int>(0)

    /// A launcher; `environment` is ashb-top's (its `SLURM_JOB_ID` selects steps), `tag` goes into job names.
    public init(settings: SlurmSettings, environment: [String: String], tag: String) {
        self.settings = settings
        let job = environment["SLURM_JOB_ID"] ?? ""
        allocation = SlurmControl.isJobOrStepID(job) && !job.contains(".") ? job : nil
        let cleanTag = String(
            tag.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }.prefix(
                48))
        namePrefix = "ashb-\(cleanTag.isEmpty ? "run" : cleanTag)-"
    }

    /// The `srun` command line that runs `program` under the job (or step) name `name`.
    public func arguments(program: [String], name: String) -> [String] {
        var argv = ["srun", "--job-name=\(name)", "--ntasks=1", "--nodes=1", "--unbuffered", "--kill-on-bad-exit=1"]
        // Inside an allocation a step takes only what it asks for (`--exact`): without it each step gets
        // every CPU of the allocation and the workers' steps wait for each other.
        if let allocation { argv += ["--jobid=\(allocation)", "--exact"] }
        if let p = settings.partition { argv.append("--partition=\(p)") }
        if let t = settings.timeLimit { argv.append("--time=\(t)") }
        if let c = settings.cpusPerTask { argv.append("--cpus-per-task=\(c)") }
        if let g = settings.gpusPerTask { argv.append("--gpus-per-task=\(g)") }
        argv += settings.extraArgs
        let script =
            "echo \"\(Self.startWord) job=${SLURM_JOB_ID:-} step=${SLURM_STEP_ID:-} node=${SLURMD_NODENAME:-}\"; "
            + "exec \"$@\""
        argv += ["/bin/sh", "-c", script, "ashb-trial"]
        return argv + program
    }

    /// Starts the request's program under `srun`, named `ashb-<tag>-t<trial>-<n>`.
    public func launch(_ request: LaunchRequest) throws(ObjectiveError) -> any LaunchedProcess {
        let n = Self.launches.add(1, ordering: .relaxed).newValue
        let name = "\(namePrefix)t\(request.trial)-\(n)"
        let environment = request.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let srun: LocalProcess
        do {
            srun = try LocalProcess(
                argv: arguments(program: request.argv, name: name), environment: environment,
                workingDirectory: request.workingDirectory, reapSeconds: 2)
        } catch {
            throw ObjectiveError("slurm: cannot start srun: \(error) (is Slurm installed, and srun in PATH?)")
        }
        return SlurmJobProcess(srun: srun, name: name, inAllocation: allocation != nil, settings: settings)
    }
}

/// Where a trial's job runs, as its start line told.
public struct SlurmPlacement: Sendable, Equatable {
    /// The job id.
    public var job: String
    /// The step id within the job (0 for a job of its own).
    public var step: String
    /// The node the program runs on.
    public var node: String
    /// Seconds from `srun` to the start line: mostly the wait in the queue.
    public var queueSeconds: Double

    /// Parses `@ashb-slurm job=12 step=0 node=vm`; nil when `line` is not such a line.
    static func parse(_ line: [UInt8], queueSeconds: Double) -> SlurmPlacement? {
        guard line.count <= 400 else { return nil }
        let words = String(decoding: line, as: UTF8.self).split(separator: " ").map(String.init)
        guard words.count == 4, words[0] == SlurmLauncher.startWord else { return nil }
        var fields: [String: String] = [:]
        for w in words.dropFirst() {
            let kv = w.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard kv.count == 2 else { return nil }
            fields[kv[0]] = kv[1]
        }
        guard let job = fields["job"], SlurmControl.isJobOrStepID(job), !job.contains("."),
            let step = fields["step"], step.allSatisfy(\.isNumber), !step.isEmpty, step.count <= 12,
            let node = fields["node"], !node.isEmpty, node.count <= 64,
            node.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.generalCategory != .control && $0 != " " })
        else { return nil }
        return SlurmPlacement(job: job, step: step, node: node, queueSeconds: queueSeconds)
    }
}
