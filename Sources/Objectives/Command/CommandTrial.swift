import ASHA
import Foundation
import TextSafety

/// A trial of `CommandObjective`: a process of the trial's program, read one line per step.
///
/// With `checkpoint: false` one process serves the whole trial, stopped between steps. With
/// `checkpoint: true` a process lives only while a job of the trial runs: `jobEnded` ends it, and the
/// next step starts a new one, which continues from the trial's checkpoint directory.
///
/// `step()` and `jobEnded` run on the job's thread, one at a time; `cancel()` may come from any thread.
final class CommandTrial: ObjectiveTrial, @unchecked Sendable {
    private let objective: CommandObjective
    private let trial: Int
    private let config: Configuration
    private let seed: UInt64
    /// Guards `process`, `cancelled` and `worker` (read by `cancel()` and `jobStarting` from other threads).
    private let lock = NSLock()
    private var process: (any LaunchedProcess)?
    private var cancelled = false
    /// The process `cancel()` began to end: `jobEnded` waits for it before the slot is reused.
    private var cancelledProcess: (any LaunchedProcess)?
    private var worker: Int?
    /// The resource the current job trains to.
    private var target: Int?
    /// The resource the current process was told to train to (`ASHB_JOB_RESOURCE`), with checkpoints.
    private var processTarget: Int?
    /// The reader of the current process's output (job thread only).
    private var output: ChildOutput?
    /// The last resource reported (0 before the first step).
    private(set) var resource: Int
    /// The resource the current process started after (its checkpoint's), when it is a restart.
    private var restartedAfter: Int?
    /// Lines read from the current process.
    private var lineNumber = 0
    /// Processes started for this trial.
    private(set) var starts = 0
    /// Set once the trial failed: later steps throw the same error.
    private var failure: ObjectiveError?
    private let stderrLog: StderrLog
    /// Whether the current process's start line (a cluster launcher's) has been read.
    private var startLineRead = false
    /// How many times the program was launched again after a cluster ended it.
    private(set) var retries = 0
    /// Step lines up to this resource are skipped: a program launched again without a checkpoint
    /// (`checkpoint: false`) repeats them.
    private var replayThrough: Int?
    /// Notes for the run's log, taken by `takeNotes()` (guarded by `lock`).
    private var notes: [String] = []
    /// Told where each cluster process runs (guarded by `lock`).
    private var placementObserver: (@Sendable (ProcessPlacement) -> Void)?

    init(objective: CommandObjective, trial: Int, config: Configuration, seed: UInt64, resource: Int) {
        self.objective = objective
        self.trial = trial
        self.config = config
        self.seed = seed
        self.resource = resource
        stderrLog = StderrLog(
            path: objective.trialDirectory(trial) + "/stderr.log", maxBytes: CommandObjective.stderrLogBytes)
    }

    /// Ends the process in the background (SIGTERM, SIGKILL after the grace period), unless done already.
    deinit {
        if let process { CommandTerminations.end(process, grace: objective.graceSeconds) }
    }

    private var current: (any LaunchedProcess)? {
        lock.lock()
        defer { lock.unlock() }
        return process
    }

    private var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// The program's name (and its first argument's, e.g. the script an interpreter runs) and process, for messages.
    private var who: String {
        let names = objective.argv.prefix(2).enumerated().compactMap { index, word -> String? in
            if index > 0, word.hasPrefix("-") { return nil }
            return word.split(separator: "/").last.map(String.init) ?? word
        }
        return "\(names.joined(separator: " ")) (\(current?.label ?? "no process"))"
    }

    func jobStarting(worker: Int, target: Int) {
        lock.lock()
        self.worker = worker
        self.target = target
        lock.unlock()
    }

    /// Starts a process for the next steps.
    private func start() throws(ObjectiveError) -> any LaunchedProcess {
        lock.lock()
        let worker = self.worker
        // A job whose target the trial has reached already (a restarted program re-reported a checkpoint
        // beyond its job's target, e.g. after `kill -9` of ashb-top, and the scheduler then promoted the
        // trial to that rung): the program would find nothing to do and exit without a line, so it trains
        // on towards max_resource, and the tuner ends the job at its first step (as in `step()`).
        if objective.checkpoint, let reached = self.target, reached <= resource {
            self.target = objective.maxResource
        }
        let target = self.target
        lock.unlock()
        var environment = objective.environment(trial: trial, config: config, seed: seed, worker: worker)
        if objective.checkpoint, let target { environment["ASHB_JOB_RESOURCE"] = String(target) }
        processTarget = objective.checkpoint ? target : nil
        environment["ASHB_RESOURCE"] = String(resource)
        let request = LaunchRequest(
            argv: objective.argv, environment: environment,
            trial: trial, worker: worker)
        let launched = try objective.launcher.launch(request)
        lock.lock()
        let wasCancelled = cancelled
        if !wasCancelled { process = launched }
        lock.unlock()
        if wasCancelled {
            CommandTerminations.end(launched, grace: objective.graceSeconds)
            throw ObjectiveError("command: trial \(trial): cancelled")
        }
        var reader = ChildOutput(
            stdoutFD: launched.stdoutFD, stderrFD: launched.stderrFD, maxLineBytes: CommandObjective.maxLineBytes,
            stderrTailBytes: CommandObjective.stderrTailBytes)
        reader.stderrLog = stderrLog
        output = reader
        lineNumber = 0
        starts += 1
        restartedAfter = resource > 0 ? resource : nil
        startLineRead = false
        return launched
    }

    func takeNotes() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        let taken = notes
        notes = []
        return taken
    }

    /// A command's process may run where a cluster placed it (the Slurm executor).
    var placesJobs: Bool { true }

    func observePlacements(_ observer: @escaping @Sendable (ProcessPlacement) -> Void) {
        lock.lock()
        placementObserver = observer
        lock.unlock()
    }

    private func note(_ text: String) {
        lock.lock()
        notes.append(text)
        lock.unlock()
    }

    /// After a cluster process's output ended early: launches the program again when the cluster ended
    /// it and retries are left (noting why), else fails the trial with the cause.
    private func relaunch(after old: any ClusterProcess) throws(ObjectiveError) -> any LaunchedProcess {
        if isCancelled { throw fail("command: \(who): cancelled") }
        let exit = old.end(grace: objective.graceSeconds)
        output?.drainStderr()
        let tail = Sanitizer.clean(bytes: output?.stderrTail ?? [], maxColumns: CommandObjective.stderrTailBytes)
        let cause = old.endCause(exit, stderrTail: tail)
        guard cause.retryable, retries < old.maxRetries else {
            let left = cause.retryable ? " (no retries left of \(old.maxRetries))" : ""
            throw fail(
                "command: \(who) \(cause.text)\(left) at resource \(resource) "
                    + "before reaching max_resource \(objective.maxResource ?? 0)"
                    + (tail.isEmpty ? "; stderr was empty" : "; stderr tail: \(tail)"))
        }
        retries += 1
        note(
            "\(old.label): \(cause.text) at resource \(resource); launching again (retry \(retries) of "
                + "\(old.maxRetries))\(objective.checkpoint ? " from the checkpoint" : ", repeated steps skipped")")
        lock.lock()
        process = nil
        lock.unlock()
        let fresh = try start()
        if !objective.checkpoint, resource > 0 {
            replayThrough = resource
            restartedAfter = nil
        }
        return fresh
    }

    func step() throws -> Step {
        if let failure { throw failure }
        if isCancelled { throw fail("command: \(who): cancelled") }
        if objective.checkpoint, let announced = processTarget, resource >= announced, let p = current {
            // The job goes on past the resource this process was started for (the scheduler promoted the
            // trial at once): the process may have exited there or may linger, so it is ended and a new
            // one continues from the checkpoint, towards max_resource (the tuner ends the job in time).
            lock.lock()
            process = nil
            target = objective.maxResource
            lock.unlock()
            p.end(grace: objective.graceSeconds)
            output?.drainStderr()
            output = nil
        }
        var running: any LaunchedProcess
        if let p = current {
            running = p
            if objective.stopBetweenSteps { running.resume() }
        } else {
            running = try start()
        }
        // Paused again after the line, unless the process is being ended meanwhile (a stopped process
        // could not act on its SIGTERM until SIGKILL came).
        defer { if objective.stopBetweenSteps, current === running { running.pause() } }
        while true {
            // A stop signal that races a fork in the child can reach the new process after the
            // continue signal did: while waiting, the group is continued again now and then.
            let resend = objective.stopBetweenSteps
            let waiting = running
            let line = output!.nextLine(idle: { [self] in
                (waiting as? any ClusterProcess)?.waiting()
                if resend { waiting.resume() }
                return isCancelled
            })
            switch line {
            case .abandoned:
                throw fail("command: \(who): cancelled")
            case .end:
                guard let cluster = running as? any ClusterProcess else { throw fail(ended(running)) }
                running = try relaunch(after: cluster)
            case .tooLong:
                throw fail(
                    "command: \(who): stdout line \(lineNumber + 1) is longer than \(CommandObjective.maxLineBytes) bytes"
                )
            case .line(let bytes):
                if !startLineRead, let cluster = running as? any ClusterProcess {
                    startLineRead = true
                    do {
                        try cluster.started(line: bytes)
                    } catch {
                        throw fail(error.message)
                    }
                    if let placed = cluster.processPlacement {
                        lock.lock()
                        let observer = placementObserver
                        lock.unlock()
                        observer?(placed)
                    }
                    if objective.stopBetweenSteps { running.resume() }
                    continue
                }
                lineNumber += 1
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                if let step = try stepFrom(bytes) { return step }
            }
        }
    }

    /// The step a line reports; nil for a line that a program launched again repeats.
    private func stepFrom(_ bytes: [UInt8]) throws(ObjectiveError) -> Step? {
        let text = Sanitizer.clean(bytes: bytes, maxColumns: 200)
        let parsed: StepLine
        do {
            parsed = try StepLine.parse(bytes)
        } catch {
            throw fail("command: \(who): stdout line \(lineNumber) is not a step (\(error)): \(text)")
        }
        if let through = replayThrough {
            if parsed.resource <= through { return nil }
            replayThrough = nil
        }
        if let after = restartedAfter, parsed.resource <= after {
            let what = parsed.resource == after ? "which it had reported already" : "which goes back"
            throw fail(
                "command: \(who): restarted after resource \(after), its first step reported resource "
                    + "\(parsed.resource), \(what): the program must continue from its checkpoint in "
                    + "ASHB_CHECKPOINT_DIR (saved before each step's line is written): \(text)")
        }
        guard parsed.resource > resource else {
            throw fail(
                "command: \(who): stdout line \(lineNumber): resource \(parsed.resource) does not increase "
                    + "(previous \(resource)): \(text)")
        }
        if let max = objective.maxResource, parsed.resource > max {
            throw fail(
                "command: \(who): stdout line \(lineNumber): resource \(parsed.resource) is beyond "
                    + "max_resource \(max): \(text)")
        }
        restartedAfter = nil
        resource = parsed.resource
        if isLastLine(parsed.resource), let status = exitAfterLastLine(), status != .exited(0) {
            output?.drainStderr()
            let tail = Sanitizer.clean(
                bytes: output?.stderrTail ?? [], maxColumns: CommandObjective.stderrTailBytes)
            throw fail(
                "command: \(who) \(status) after its last line (resource \(parsed.resource), "
                    + "value \(parsed.value))" + (tail.isEmpty ? "; stderr was empty" : "; stderr tail: \(tail)"))
        }
        return Step(resource: parsed.resource, value: parsed.value, cost: parsed.seconds)
    }

    /// Whether a process writes no line after the one of `reported`: the trial's last (`max_resource`),
    /// or with checkpoints the last of its job (a process lives for one job).
    private func isLastLine(_ reported: Int) -> Bool {
        if let max = objective.maxResource, reported >= max { return true }
        lock.lock()
        let target = self.target
        lock.unlock()
        return objective.checkpoint && target.map { reported >= $0 } == true
    }

    /// After the last step line: the program's own exit status, if it exits within the grace period
    /// (a program that failed while saving its results says so by its status, and that is recorded);
    /// nil when it is still running then (it is ended the usual way, which is not its failure).
    private func exitAfterLastLine() -> ProcessExit? {
        guard let running = current else { return nil }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, objective.graceSeconds) * 1e9)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            if let status = running.exitStatus() { return status }
            output?.drainStderr()
            usleep(2_000)
        }
        return nil
    }

    /// The message for a child whose output ended before the trial did.
    private func ended(_ running: any LaunchedProcess) -> String {
        if isCancelled { return "command: \(who): cancelled" }
        let status = running.end(grace: objective.graceSeconds)
        output?.drainStderr()
        let tail = Sanitizer.clean(bytes: output?.stderrTail ?? [], maxColumns: CommandObjective.stderrTailBytes)
        return "command: \(who) \(status) at resource \(resource) "
            + "before reaching max_resource \(objective.maxResource ?? 0)"
            + (tail.isEmpty ? "; stderr was empty" : "; stderr tail: \(tail)")
    }

    private func fail(_ message: String) -> ObjectiveError {
        let error = ObjectiveError(message)
        failure = error
        return error
    }

    /// With checkpoints, or when the trial is over, its process ends now: this returns once it is gone
    /// (after at most the grace period and a bounded wait for the reaping), so the worker slot's next
    /// process never overlaps it. A trial that ended (stopped, failed, killed) loses its checkpoint
    /// directory unless `keep_checkpoints` is `all`.
    func jobEnded(_ fate: TrialFate) {
        guard objective.checkpoint || fate != .continues else { return }
        lock.lock()
        let ending = process ?? cancelledProcess
        process = nil
        cancelledProcess = nil
        lock.unlock()
        if let ending {
            ending.end(grace: objective.graceSeconds)
            output?.drainStderr()
        }
        output = nil
        stderrLog.closeFile()
        if fate == .ended, objective.checkpoint, objective.keepCheckpoints != .all {
            try? FileManager.default.removeItem(atPath: objective.checkpointDirectory(trial))
        }
    }

    /// Ends the process now, once (a step waiting for output then throws); later steps throw.
    func cancel() {
        lock.lock()
        let wasCancelled = cancelled
        cancelled = true
        let ending = process
        process = nil
        if let ending { cancelledProcess = ending }
        lock.unlock()
        guard !wasCancelled, let ending else { return }
        CommandTerminations.end(ending, grace: objective.graceSeconds)
    }

    /// The process group's id of the current process, for tests (0 when none runs).
    var processID: Int32 { (current as? LocalProcess)?.pid ?? 0 }
}
