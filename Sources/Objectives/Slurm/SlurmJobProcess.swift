import Foundation

/// A trial's program running as a Slurm job (or job step) through a local `srun`, which relays its
/// standard output and error.
///
/// Control goes through Slurm, never through signals to `srun`: pause and continue are
/// `scancel --signal=STOP|CONT`; ending is `scancel --signal=TERM` and, after the grace period,
/// `scancel` (Slurm's own SIGTERM-then-SIGKILL). Before the start line has arrived (the job may still
/// be pending) a job is found by its unique name. Thread-safe.
final class SlurmJobProcess: TrialProcess, @unchecked Sendable {
    /// The local `srun`.
    let child: ChildProcess
    /// The job's (or step's) unique name.
    let name: String
    /// Whether the program is a step of ashb-top's own allocation.
    let inAllocation: Bool
    let settings: SlurmSettings
    private let launchedAt = DispatchTime.now().uptimeNanoseconds
    private let lock = NSLock()
    private var placementValue: SlurmPlacement?
    /// Set when the queue timeout ran out (the pending job was cancelled); the reason Slurm gave.
    private var queueTimedOut: String?
    /// Set once ashb-top ended the job itself (its end is then no failure of the cluster's).
    private var endedByUs = false
    private var lastProceed: UInt64 = 0
    /// Whether the job was ever stopped (only then is it continued again while a step is awaited).
    private var pausedOnce = false

    init(child: ChildProcess, name: String, inAllocation: Bool, settings: SlurmSettings) {
        self.child = child
        self.name = name
        self.inAllocation = inAllocation
        self.settings = settings
    }

    var stdoutFD: Int32 { child.stdoutFD }
    var stderrFD: Int32 { child.stderrFD }

    /// Where the job runs, once its start line arrived.
    var placement: SlurmPlacement? {
        lock.lock()
        defer { lock.unlock() }
        return placementValue
    }

    /// The job (`12`) or step (`12.3`) that scancel addresses, once known.
    var target: String? {
        guard let p = placement else { return nil }
        return inAllocation ? "\(p.job).\(p.step)" : p.job
    }

    var label: String {
        guard let p = placement else { return "Slurm \(inAllocation ? "step" : "job") \(name) (not started)" }
        return inAllocation ? "Slurm step \(p.job).\(p.step) on \(p.node)" : "Slurm job \(p.job) on \(p.node)"
    }

    var hasStartLine: Bool { true }

    func started(line: [UInt8]) throws(ObjectiveError) {
        let waited = Double(DispatchTime.now().uptimeNanoseconds - launchedAt) / 1e9
        guard let p = SlurmPlacement.parse(line, queueSeconds: waited) else {
            throw ObjectiveError(
                "slurm: \(name): the first line from srun is not the start line: "
                    + ChildOutput.printable(line, limit: 120))
        }
        lock.lock()
        placementValue = p
        lock.unlock()
    }

    /// While the job has not started: after `queue_timeout`, cancels it (srun then ends, and the trial
    /// fails with the reason Slurm gave for the wait). While it runs: continues it now and then, like the
    /// local launcher (a stop signal may race a fork in the program).
    func waiting() {
        let now = DispatchTime.now().uptimeNanoseconds
        if placement == nil {
            guard let limit = settings.queueTimeout, Double(now - launchedAt) / 1e9 > limit else { return }
            lock.lock()
            let already = queueTimedOut != nil
            if !already { queueTimedOut = "" }
            lock.unlock()
            if already { return }
            let reason = SlurmControl.jobs(named: name).first.map { "\($0.state), reason \($0.reason)" } ?? "pending"
            lock.lock()
            queueTimedOut = reason
            lock.unlock()
            cancelByName(signal: nil)
            child.signalGroup(SIGTERM)
            return
        }
        lock.lock()
        let due = pausedOnce && now - lastProceed > 5_000_000_000
        lock.unlock()
        if due { proceed() }
    }

    func pause() {
        lock.lock()
        pausedOnce = true
        lock.unlock()
        if let target { SlurmControl.cancel(target, signal: "STOP") }
    }

    func proceed() {
        lock.lock()
        lastProceed = DispatchTime.now().uptimeNanoseconds
        lock.unlock()
        if let target { SlurmControl.cancel(target, signal: "CONT") }
    }

    func exitStatus() -> Int32? { child.exitStatus() }

    func beginTermination() {
        lock.lock()
        endedByUs = true
        lock.unlock()
        if let target {
            SlurmControl.cancel(target, signal: "CONT")
            SlurmControl.cancel(target, signal: "TERM")
        } else {
            cancelByName(signal: nil)
            if inAllocation { child.signalGroup(SIGTERM) }
        }
    }

    @discardableResult
    func terminate(grace: Double) -> Int32 {
        lock.lock()
        let byUs = endedByUs
        lock.unlock()
        // After its output ended, srun exits by itself: give it a moment before ending the job.
        if !byUs, let status = waitForSrun(seconds: 2) { return status }
        if !byUs { beginTermination() }
        if let status = waitForSrun(seconds: grace) { return status }
        // Slurm's own cancel: SIGTERM, then SIGKILL after the cluster's KillWait.
        if let target { SlurmControl.cancel(target) } else { cancelByName(signal: nil) }
        if let status = waitForSrun(seconds: 30) { return status }
        child.signalGroup(SIGKILL)
        return child.terminate(grace: 0)
    }

    /// Waits up to `seconds` for srun to exit; its status, or nil.
    private func waitForSrun(seconds: Double) -> Int32? {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
        while true {
            if let status = child.exitStatus() { return status }
            if DispatchTime.now().uptimeNanoseconds >= deadline { return nil }
            usleep(10_000)
        }
    }

    /// Cancels (or signals) the job by its name; for a step, finds its id among the running steps.
    private func cancelByName(signal: String?) {
        if inAllocation {
            for step in SlurmControl.steps() where step.name == name { SlurmControl.cancel(step.id, signal: signal) }
        } else {
            SlurmControl.cancel(jobNamed: name)
        }
    }

    func endCause(status: Int32, stderrTail: String) -> (text: String, retryable: Bool) {
        lock.lock()
        let timedOut = queueTimedOut
        let byUs = endedByUs
        lock.unlock()
        if let timedOut {
            let limit = settings.queueTimeout.map { String(format: "%g", $0) } ?? "?"
            return (
                "did not start within queue_timeout (\(limit) s; \(timedOut.isEmpty ? "pending" : timedOut)); cancelled",
                false
            )
        }
        var state: SlurmControl.JobState?
        if !inAllocation, let p = placement { state = SlurmControl.jobs([p.job]).first }
        let cause = SlurmEndCause.classify(stderrTail: stderrTail, jobState: state?.state)
        let exit = ChildProcess.describe(status)
        guard let cause, !byUs else { return ("srun \(exit)", false) }
        return ("srun \(exit): \(cause.text)", true)
    }
}

/// Why Slurm ended a job that ashb-top did not end: the cluster's reasons, which a retry may overcome.
enum SlurmEndCause: Equatable {
    case timeLimit
    case preempted
    case nodeFailure
    case bootFailure
    case deadline
    /// `scancel` by someone (or something) other than ashb-top.
    case cancelled

    /// What to record.
    var text: String {
        switch self {
        case .timeLimit: return "the job reached its time limit (TIMEOUT)"
        case .preempted: return "the job was preempted (PREEMPTED)"
        case .nodeFailure: return "its node failed (NODE_FAIL)"
        case .bootFailure: return "its node failed to boot (BOOT_FAIL)"
        case .deadline: return "the job reached its deadline (DEADLINE)"
        case .cancelled: return "the job was cancelled outside ashb-top (CANCELLED, e.g. scancel by hand)"
        }
    }

    /// The cause from what slurmstepd wrote through srun (`*** JOB 12 ON vm CANCELLED AT … DUE TO TIME
    /// LIMIT ***`, `*** STEP 12.0 ON vm CANCELLED AT … ***`) and, for a job, its state in `squeue`.
    static func classify(stderrTail: String, jobState: String?) -> SlurmEndCause? {
        switch jobState?.uppercased() {
        case "TIMEOUT": return .timeLimit
        case "PREEMPTED": return .preempted
        case "NODE_FAIL": return .nodeFailure
        case "BOOT_FAIL": return .bootFailure
        case "DEADLINE": return .deadline
        default: break
        }
        let text = stderrTail.uppercased()
        if text.contains("DUE TO TIME LIMIT") { return .timeLimit }
        if text.contains("DUE TO PREEMPTION") { return .preempted }
        if text.contains("DUE TO NODE FAILURE") || text.contains("NODE FAILURE ON") { return .nodeFailure }
        if text.contains("CANCELLED AT") || jobState?.uppercased() == "CANCELLED" { return .cancelled }
        return nil
    }
}
