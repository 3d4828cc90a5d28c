import Foundation
import TextSafety

/// What a process on a cluster adds to `LaunchedProcess`: a start line before the step lines (the job
/// left the queue, and where it runs), a queue that may time out, and ends that are the cluster's
/// doing rather than the program's (which a new launch may overcome).
protocol ClusterProcess: LaunchedProcess {
    /// Takes the launcher's start line, the first line of standard output; throws when it is not one.
    func started(line: [UInt8]) throws(ObjectiveError)
    /// Where the process runs once started (job, step, node, the wait in the queue), for the log.
    var processPlacement: ProcessPlacement? { get }
    /// Called often while a line is awaited: gives up on a job that waited in the queue too long.
    func waiting()
    /// Why the process ended (`exit`) before its trial did, and whether the cause is the cluster's.
    func endCause(_ exit: ProcessExit, stderrTail: String) -> (text: String, retryable: Bool)
    /// How many times a trial may be launched again after the cluster ended its process.
    var maxRetries: Int { get }
}

/// A trial's program running as a Slurm job (or job step) through a local `srun`, which relays its
/// standard output and error.
///
/// Control goes through Slurm, never through signals to `srun`: pause and continue are
/// `scancel --signal=STOP|CONT`; ending is `scancel --signal=TERM` and, after the grace period,
/// `scancel` (Slurm's own SIGTERM, then SIGKILL after the cluster's KillWait). Before the start line
/// has arrived (the job may still be pending) the job is found by its unique name. `scancel` runs off
/// the caller's thread where the caller may hold the tuner's lock (`requestEnd`). Thread-safe.
final class SlurmJobProcess: ClusterProcess, @unchecked Sendable {
    /// The local `srun`.
    let srun: LocalProcess
    /// The job's (or step's) unique name.
    let name: String
    /// Whether the program is a step of ashb-top's own allocation.
    let inAllocation: Bool
    let settings: SlurmSettings
    private let launchedAt = DispatchTime.now().uptimeNanoseconds
    private let lock = NSLock()
    private var placementValue: SlurmPlacement?
    /// Set when the queue timeout ran out (the pending job was cancelled): what Slurm said about it.
    private var queueTimedOut: String?
    /// Set once ashb-top asked the job to end (its end is then no failure of the cluster's).
    private var endRequested = false
    /// Whether ashb-top stopped the job and has not continued it since (changed on `control`).
    private var stopped = false
    private var pausedOnce = false
    private var lastContinue: UInt64 = 0
    /// Counts pause, resume and end requests: a delayed stop goes out only if nothing came after it.
    private var generation = 0
    /// Orders this job's stop and continue requests.
    private let control = DispatchQueue(label: "ashb.slurm.control")
    /// How long a pause waits before the job is stopped: a step that follows at once (the usual case
    /// within a job) then costs no `scancel` at all, and a program that exits right after its line is
    /// not stopped on its way out (Slurm 22.05 then keeps the job STOPPED with nothing left in it).
    static let pauseDelay = 0.3
    /// Background `scancel`s asked for by `requestEnd`.
    private let background = DispatchGroup()
    private static let queue = DispatchQueue(label: "ashb.slurm.scancel", attributes: .concurrent)

    init(srun: LocalProcess, name: String, inAllocation: Bool, settings: SlurmSettings) {
        self.srun = srun
        self.name = name
        self.inAllocation = inAllocation
        self.settings = settings
    }

    var stdoutFD: Int32 { srun.stdoutFD }
    var stderrFD: Int32 { srun.stderrFD }
    var maxRetries: Int { settings.maxRetries }

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
        guard let p = placement else { return "Slurm \(inAllocation ? "step" : "job") \(name), not started" }
        return inAllocation ? "Slurm step \(p.job).\(p.step) on \(p.node)" : "Slurm job \(p.job) on \(p.node)"
    }

    var processPlacement: ProcessPlacement? {
        guard let p = placement else { return nil }
        return ProcessPlacement(
            executor: "slurm", job: p.job, step: inAllocation ? p.step : nil, node: p.node, queueSeconds: p.queueSeconds
        )
    }

    func started(line: [UInt8]) throws(ObjectiveError) {
        let waited = Double(DispatchTime.now().uptimeNanoseconds - launchedAt) / 1e9
        guard let p = SlurmPlacement.parse(line, queueSeconds: waited) else {
            throw ObjectiveError(
                "slurm: \(name): the first line from srun is not the start line: "
                    + Sanitizer.clean(bytes: line, maxColumns: 120))
        }
        lock.lock()
        placementValue = p
        lock.unlock()
    }

    /// While the job has not started: after `queue_timeout`, cancels it (srun then ends, and the trial
    /// fails with what Slurm said about the wait).
    func waiting() {
        guard placement == nil, let limit = settings.queueTimeout else { return }
        guard Double(DispatchTime.now().uptimeNanoseconds - launchedAt) / 1e9 > limit else { return }
        lock.lock()
        let already = queueTimedOut != nil
        if !already { queueTimedOut = "pending" }
        lock.unlock()
        if already { return }
        if let job = SlurmControl.jobs(named: name).first {
            lock.lock()
            queueTimedOut = "\(job.state), reason \(job.reason)"
            lock.unlock()
        }
        cancelByName()
        if inAllocation { srun.signalGroup(SIGTERM) }
    }

    func pause() {
        lock.lock()
        generation += 1
        let asked = generation
        pausedOnce = true
        lock.unlock()
        control.asyncAfter(deadline: .now() + Self.pauseDelay) { [self] in
            lock.lock()
            let current = generation == asked && !endRequested
            lock.unlock()
            guard current, srun.exitStatus() == nil, let target else { return }
            SlurmControl.cancel(target, signal: "STOP")
            lock.lock()
            stopped = true
            lock.unlock()
        }
    }

    /// Continues the job when ashb-top stopped it; while a step is awaited, once a second again (a stop
    /// that raced a fork in the program may reach the new process late).
    func resume() {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        generation += 1
        let again = pausedOnce && now - lastContinue > 1_000_000_000
        if again { lastContinue = now }
        lock.unlock()
        control.async { [self] in
            lock.lock()
            let wasStopped = stopped
            stopped = false
            lock.unlock()
            if wasStopped || again, let target { SlurmControl.cancel(target, signal: "CONT") }
        }
    }

    func requestEnd() {
        lock.lock()
        let first = !endRequested
        endRequested = true
        generation += 1
        lock.unlock()
        guard first, srun.exitStatus() == nil else { return }
        background.enter()
        Self.queue.async { [self] in
            if let target {
                SlurmControl.cancel(target, signal: "CONT")
                SlurmControl.cancel(target, signal: "TERM")
            } else {
                cancelByName()
                if inAllocation { srun.signalGroup(SIGTERM) }
            }
            background.leave()
        }
    }

    func exitStatus() -> ProcessExit? { srun.exitStatus() }

    @discardableResult
    func end(grace: Double) -> ProcessExit {
        lock.lock()
        let asked = endRequested
        lock.unlock()
        // After its output ended by itself, srun exits soon: give it a moment before ending the job.
        if !asked, let exit = waitForSrun(seconds: 2) { return exit }
        requestEnd()
        background.wait()
        // A stop still on its way may arrive after the continue: the job is continued again while it ends.
        if let exit = waitForSrun(seconds: grace, continuing: true) { return exit }
        // Slurm's own cancel: SIGTERM, then SIGKILL after the cluster's KillWait.
        if let target { SlurmControl.cancel(target) } else { cancelByName() }
        if let exit = waitForSrun(seconds: 30) { return exit }
        return srun.end(grace: 0)
    }

    /// Waits up to `seconds` for srun to exit; how it ended, or nil.
    private func waitForSrun(seconds: Double, continuing: Bool = false) -> ProcessExit? {
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = start + UInt64(max(0, seconds) * 1e9)
        var nextContinue = start + 500_000_000
        lock.lock()
        let wasPaused = pausedOnce
        lock.unlock()
        while true {
            if let exit = srun.exitStatus() { return exit }
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= deadline { return nil }
            if continuing, wasPaused, now >= nextContinue, let target {
                SlurmControl.cancel(target, signal: "CONT")
                nextContinue = now + 1_000_000_000
            }
            usleep(10_000)
        }
    }

    /// Cancels the job by its name; for a step, finds its id among the running steps.
    private func cancelByName() {
        if inAllocation {
            for step in SlurmControl.steps() where step.name == name { SlurmControl.cancel(step.id) }
        } else {
            SlurmControl.cancel(jobNamed: name)
        }
    }

    /// Job states in which Slurm has not yet recorded how a job ended.
    static let stillLive: Set<String> = ["RUNNING", "COMPLETING", "STOPPED", "SUSPENDED", "CONFIGURING", "PENDING"]
    /// How often (and how far apart) `endCause` asks `squeue` again while the job still looks live.
    static let endStatePolls = 20
    static let endStatePollMicroseconds: UInt32 = 150_000

    func endCause(_ exit: ProcessExit, stderrTail: String) -> (text: String, retryable: Bool) {
        lock.lock()
        let timedOut = queueTimedOut
        let asked = endRequested
        lock.unlock()
        if let timedOut {
            let limit = settings.queueTimeout.map { String(format: "%g", $0) } ?? "?"
            return ("did not start within queue_timeout (\(limit) s; \(timedOut)); its job was cancelled", false)
        }
        var state: SlurmControl.JobState?
        if !inAllocation, let p = placement { state = SlurmControl.jobs([p.job]).first }
        var cause = SlurmEndCause.classify(stderrTail: stderrTail, jobState: state?.state)
        // srun can exit before slurmctld records why (seen here: a job cancelled by hand, srun's stderr
        // without slurmstepd's "CANCELLED AT" line, squeue not yet CANCELLED): ask again while the job
        // still looks live, for at most 3 s.
        if cause == nil, !asked, !inAllocation, let p = placement {
            var polls = 0
            while polls < Self.endStatePolls, let known = state, Self.stillLive.contains(known.state.uppercased()) {
                usleep(Self.endStatePollMicroseconds)
                polls += 1
                state = SlurmControl.jobs([p.job]).first
            }
            cause = SlurmEndCause.classify(stderrTail: stderrTail, jobState: state?.state)
        }
        guard let cause, !asked else { return ("(srun) \(exit)", false) }
        return ("(srun) \(exit): \(cause.text)", true)
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
