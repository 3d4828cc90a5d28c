import Foundation
import TextSafety

/// Slurm's client commands as functions: `scancel`, `squeue`, `sinfo`, each run with a time limit and
/// its output bounded. No accounting database is needed (no `sacct`): job states come from `squeue
/// --states=all`, which knows a job for `MinJobAge` seconds after it ended.
public enum SlurmControl {
    /// What one client command gave.
    struct Output {
        /// Exit status (minus the signal when killed; -1000 when it could not start).
        var status: Int32
        /// Standard output, at most 256 KiB.
        var stdout: String
        /// The end of standard error, printable.
        var stderr: String
    }

    /// Seconds a client command may take before it is killed (slurmctld may be slow or gone).
    static let timeout = 15.0

    /// Runs `argv` (the program looked up in PATH) with ashb-top's environment.
    static func run(_ argv: [String], timeout: Double = SlurmControl.timeout) -> Output {
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let child: LocalProcess
        do {
            child = try LocalProcess(argv: argv, environment: environment, workingDirectory: nil, reapSeconds: 2)
        } catch {
            return Output(status: -1000, stdout: "", stderr: "\(error)")
        }
        var output = ChildOutput(
            stdoutFD: child.stdoutFD, stderrFD: child.stderrFD, maxLineBytes: 262_144, stderrTailBytes: 2_048)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        var lines: [String] = []
        var bytes = 0
        reading: while true {
            let line = output.nextLine(idleSeconds: 0.2) {
                if DispatchTime.now().uptimeNanoseconds > deadline { child.signalGroup(SIGKILL) }
                return false
            }
            switch line {
            case .end, .abandoned: break reading
            case .tooLong: continue
            case .line(let b):
                bytes += b.count
                if bytes <= 262_144 { lines.append(String(decoding: b, as: UTF8.self)) }
            }
        }
        let exit = child.end(grace: 1)
        output.drainStderr()
        let status: Int32
        switch exit {
        case .exited(let code): status = code
        case .killed(let signal): status = -signal
        case .unconfirmed: status = -999
        }
        return Output(
            status: status, stdout: lines.joined(separator: "\n"),
            stderr: Sanitizer.clean(bytes: output.stderrTail, maxColumns: 400))
    }

    /// Whether a Slurm cluster answers and has a node that can run jobs (idle, mixed or allocated);
    /// otherwise why not, for a test's skip message.
    public static func clusterUp() -> (up: Bool, why: String) {
        let out = run(["sinfo", "--noheader", "--Node", "--format=%T"], timeout: 10)
        if out.status == -1000 { return (false, "sinfo cannot be run (\(out.stderr))") }
        if out.status != 0 { return (false, "sinfo failed: \(out.stderr)") }
        let states = out.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        if states.contains(where: { $0.hasPrefix("idle") || $0.hasPrefix("mixed") || $0.hasPrefix("allocated") }) {
            return (true, "")
        }
        return (false, "no node can run jobs (states: \(states.joined(separator: ", ")))")
    }

    /// `scancel` of a job (`12`) or step (`12.0`), with `signal` (e.g. `TERM`, `STOP`, `CONT`) or, when nil,
    /// cancelled the way Slurm does (SIGTERM, SIGKILL after the cluster's KillWait). True when scancel
    /// succeeded.
    @discardableResult
    public static func cancel(_ target: String, signal: String? = nil) -> Bool {
        guard isJobOrStepID(target) else { return false }
        var argv = ["scancel", "--quiet"]
        if let signal { argv.append("--signal=\(signal)") }
        argv.append(target)
        return run(argv).status == 0
    }

    /// `scancel --name` of the caller's jobs called `name` (a job that has no id in ashb-top's hands yet,
    /// e.g. still pending).
    @discardableResult
    public static func cancel(jobNamed name: String) -> Bool {
        run(["scancel", "--quiet", "--name=\(name)", "--user=\(userName())"]).status == 0
    }

    /// A job as `squeue` shows it.
    public struct JobState: Sendable, Equatable {
        /// The job id.
        public var id: String
        /// Its state (`PENDING`, `RUNNING`, `STOPPED`, `COMPLETED`, `CANCELLED`, `TIMEOUT`, `NODE_FAIL`,
        /// `PREEMPTED`, ...).
        public var state: String
        /// Why it is in that state (e.g. `Resources`, `Priority`, `None`).
        public var reason: String
    }

    /// The jobs with these ids that Slurm still knows, finished ones included (for `MinJobAge`).
    public static func jobs(_ ids: [String]) -> [JobState] {
        let ids = ids.filter(isJobOrStepID).map { String($0.prefix { $0 != "." }) }
        guard !ids.isEmpty else { return [] }
        let out = run([
            "squeue", "--noheader", "--states=all", "--jobs=\(ids.joined(separator: ","))", "--format=%i|%T|%r",
        ])
        return parseJobs(out.stdout)
    }

    /// The caller's jobs named `name`, in any state Slurm still knows.
    public static func jobs(named name: String) -> [JobState] {
        let out = run([
            "squeue", "--noheader", "--states=all", "--name=\(name)", "--user=\(userName())", "--format=%i|%T|%r",
        ])
        return parseJobs(out.stdout)
    }

    /// The caller's jobs with their names, in the states Slurm still knows.
    public static func jobsOfUser() -> [(id: String, name: String, state: String)] {
        let out = run(["squeue", "--noheader", "--states=all", "--user=\(userName())", "--format=%i|%T|%j"])
        return out.stdout.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3, isJobOrStepID(parts[0]) else { return nil }
            return (parts[0], parts[2], parts[1])
        }
    }

    /// The steps of running jobs, as `job.step` ids with their names.
    public static func steps() -> [(id: String, name: String)] {
        let out = run(["squeue", "--noheader", "--steps", "--format=%i|%j"])
        return out.stdout.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
    }

    static func parseJobs(_ text: String) -> [JobState] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3, isJobOrStepID(parts[0]) else { return nil }
            return JobState(id: parts[0], state: parts[1], reason: parts[2])
        }
    }

    /// `12`, `12.0`, `12_3` (array task) or `12.batch`: digits first, then at most one `.` or `_` part.
    public static func isJobOrStepID(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 40 else { return false }
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.first, ("0"..."9").contains(first) else { return false }
        return scalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."z").contains($0) || $0 == "." || $0 == "_" }
    }

    /// The user's name, for `--user` (root when it cannot be found).
    static func userName() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "root"
    }
}
