import Foundation

/// The running program of one `command` trial, however it was launched: a local child process group
/// (`ChildProcess`) or a Slurm job or job step (`SlurmJobProcess`). `CommandTrial` reads its step
/// lines and controls it only through this protocol, so the launcher is the only part that knows
/// where the program runs.
protocol TrialProcess: AnyObject, Sendable {
    /// The read end of the program's standard output (the step lines).
    var stdoutFD: Int32 { get }
    /// The read end of the program's standard error.
    var stderrFD: Int32 { get }
    /// Names the process in messages: `pid 123`, `Slurm job 12 on node1`.
    var label: String { get }
    /// Whether the first line of standard output is the launcher's own start line, to be given to
    /// `started(line:)` rather than read as a step.
    var hasStartLine: Bool { get }
    /// Takes the launcher's start line; throws when it is not one.
    func started(line: [UInt8]) throws(ObjectiveError)
    /// Called about every half second while a step line is awaited (e.g. to give up on a queued job).
    func waiting()
    /// Stops the program until `proceed()` (SIGSTOP, or its Slurm equivalent).
    func pause()
    /// Continues a paused program.
    func proceed()
    /// The exit status once the program has ended (reaping it), else nil.
    func exitStatus() -> Int32?
    /// Asks the program to end now (SIGTERM), without waiting.
    func beginTermination()
    /// Ends the program: SIGTERM, SIGKILL after `grace` seconds; returns its exit status.
    @discardableResult
    func terminate(grace: Double) -> Int32
    /// Why the program ended with `status` before its trial did, for the failure message; and whether
    /// the cause lay outside the program (the cluster's), so that launching it again may succeed.
    func endCause(status: Int32, stderrTail: String) -> (text: String, retryable: Bool)
}

extension ChildProcess: TrialProcess {
    var label: String { "pid \(pid)" }
    var hasStartLine: Bool { false }
    func started(line: [UInt8]) throws(ObjectiveError) {}
    func waiting() {}
    func pause() { signalGroup(SIGSTOP) }
    func proceed() { signalGroup(SIGCONT) }
    func beginTermination() {
        signalGroup(SIGTERM)
        signalGroup(SIGCONT)
    }
    func endCause(status: Int32, stderrTail: String) -> (text: String, retryable: Bool) {
        (ChildProcess.describe(status), false)
    }
}
