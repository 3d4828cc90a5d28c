/// The launcher seam of the `command` objective: how one process of a trial is started, read, paused
/// and ended. The local machine (`LocalProcessLauncher`) is the first implementation; a cluster
/// launcher (e.g. Slurm's `srun`/`scancel`) is another, and nothing else in the objective knows which
/// one runs.
///
/// The objective asks a launcher to start a trial's program (`launch`), reads the program's step
/// lines from `stdoutFD` and its diagnostics from `stderrFD`, pauses and continues it between steps
/// when it keeps its process (`checkpoint: false`), and ends it (`end(grace:)`: SIGTERM or its
/// equivalent, then SIGKILL after the grace period) when the trial's job is over.
public protocol ProcessLauncher: Sendable {
    /// Starts one process of a trial. Throws, naming the program, when it cannot be started.
    func launch(_ request: LaunchRequest) throws(ObjectiveError) -> any LaunchedProcess
}

/// What a launcher starts: a program, its arguments, its environment and its directory, for a trial.
public struct LaunchRequest: Sendable, Equatable {
    /// The program (`argv[0]`: a path, or a name looked up in `PATH`) and its arguments.
    public var argv: [String]
    /// The program's whole environment (the objective has already added `ASHB_*` and GPU variables).
    public var environment: [String: String]
    /// The directory to run in; nil: the tuner's own.
    public var workingDirectory: String?
    /// The trial this process trains (a cluster launcher may name its job after it).
    public var trial: Int
    /// The worker slot the trial's job runs on, when the tuner said (nil outside a tuner, e.g. in tests).
    public var worker: Int?

    public init(
        argv: [String], environment: [String: String], workingDirectory: String? = nil, trial: Int,
        worker: Int? = nil
    ) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.trial = trial
        self.worker = worker
    }
}

/// One started process (or cluster job step) of a trial, as its launcher controls it.
///
/// Every method may be called from any thread. After the process has ended, signalling methods do
/// nothing (a recycled pid or job id is never signalled).
public protocol LaunchedProcess: AnyObject, Sendable {
    /// A short name for messages, e.g. `pid 1234` or `job 77.0`.
    var label: String { get }
    /// The read end of the program's standard output: one step line per step. Owned by this object.
    var stdoutFD: Int32 { get }
    /// The read end of the program's standard error. Owned by this object.
    var stderrFD: Int32 { get }
    /// Suspends the program (SIGSTOP to its process group) while its trial does not train.
    func pause()
    /// Continues a paused program (SIGCONT to its process group).
    func resume()
    /// Asks the program to end (SIGTERM) and returns at once; `end(grace:)` finishes the job.
    func requestEnd()
    /// Ends the program: SIGTERM (and a continue, in case it is paused), then SIGKILL when it has not
    /// exited after `grace` seconds. Returns how it ended; waits at most a bounded time after SIGKILL
    /// (then returns `.unconfirmed`), so no caller waits on a program without a deadline.
    @discardableResult
    func end(grace: Double) -> ProcessExit
    /// How the program ended, if it has (without waiting); nil while it runs.
    func exitStatus() -> ProcessExit?
}

/// How a trial's process ended.
public enum ProcessExit: Sendable, Equatable, CustomStringConvertible {
    /// It exited with this status (0...255).
    case exited(Int32)
    /// A signal ended it.
    case killed(signal: Int32)
    /// Its end could not be confirmed in time (the reason says what is known).
    case unconfirmed(String)

    /// "exited with status 3", "was killed by signal 9 (SIGKILL)", ….
    public var description: String {
        switch self {
        case .exited(let status): return "exited with status \(status)"
        case .killed(let signal): return "was killed by signal \(signal) (\(Self.signalName(signal)))"
        case .unconfirmed(let why): return "did not confirm its end (\(why))"
        }
    }

    /// The conventional name of a signal number (e.g. `SIGTERM`).
    public static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL",
            11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}
