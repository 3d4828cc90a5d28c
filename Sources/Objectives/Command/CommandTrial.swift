import Foundation
import Synchronization

/// A trial of `CommandObjective`: one live program (a local process group or a Slurm job), read one
/// line per step. A program that a Slurm cluster ended for its own reasons (node failure, preemption,
/// time limit, a `scancel` by hand) is launched again up to `max_retries` times; the lines the new
/// process repeats (up to the resource already reported) are skipped.
final class CommandTrial: ObjectiveTrial, @unchecked Sendable {
    private let objective: CommandObjective
    /// The environment the program gets (for launching it again).
    private let environment: [String]
    private let processLock = NSLock()
    private var processValue: any TrialProcess
    private var output: ChildOutput
    private(set) var resource = 0
    private var lineNumber = 0
    /// Whether the launcher's start line (if it has one) has been read.
    private var startLineRead = false
    /// How many times the program was launched again after the cluster ended it.
    private(set) var retries = 0
    /// Step lines up to this resource are skipped: a program launched again repeats them.
    private var repeatedThrough = 0
    /// Set when the trial was cancelled: the next step throws.
    private let cancelled = Atomic<Bool>(false)
    /// Set once the trial failed: later steps throw the same error.
    private var failure: ObjectiveError?
    private var notes: [String] = []

    init(objective: CommandObjective, process: any TrialProcess, environment: [String]) {
        self.objective = objective
        self.environment = environment
        processValue = process
        output = Self.reader(process)
    }

    private static func reader(_ process: any TrialProcess) -> ChildOutput {
        ChildOutput(
            stdoutFD: process.stdoutFD, stderrFD: process.stderrFD, maxLineBytes: CommandObjective.maxLineBytes,
            stderrTailBytes: CommandObjective.stderrTailBytes)
    }

    /// The program's current process.
    var process: any TrialProcess {
        processLock.lock()
        defer { processLock.unlock() }
        return processValue
    }

    /// Terminates the process group in the background (SIGTERM, SIGKILL after the grace period),
    /// unless `cancel()` did already.
    deinit {
        cancel()
    }

    /// The program's name (and its first argument's, e.g. the script an interpreter runs) and where it
    /// runs (pid, or Slurm job and node), for messages.
    private var who: String {
        let names = objective.argv.prefix(2).enumerated().compactMap { index, word -> String? in
            if index > 0, word.hasPrefix("-") { return nil }
            return word.split(separator: "/").last.map(String.init) ?? word
        }
        return "\(names.joined(separator: " ")) (\(process.label))"
    }

    func takeNotes() -> [String] {
        processLock.lock()
        defer { processLock.unlock() }
        let taken = notes
        notes = []
        return taken
    }

    private func note(_ text: String) {
        processLock.lock()
        notes.append(text)
        processLock.unlock()
    }

    func step() throws -> Step {
        if let failure { throw failure }
        if cancelled.load(ordering: .acquiring) { throw fail("command: \(who): cancelled") }
        let stopping = objective.stopBetweenSteps
        if stopping { process.proceed() }
        defer { if stopping { process.pause() } }
        while true {
            let current = process
            // A stop signal that races a fork in the child can reach the new process after the
            // continue signal did: while waiting, the group is continued again now and then.
            let line = output.nextLine(idle: {
                current.waiting()
                if stopping, !current.hasStartLine { current.proceed() }
            })
            switch line {
            case .end:
                try relaunchOrFail()
            case .tooLong:
                throw fail(
                    "command: \(who): stdout line \(lineNumber + 1) is longer than \(CommandObjective.maxLineBytes) bytes"
                )
            case .line(let bytes):
                if !startLineRead, current.hasStartLine {
                    startLineRead = true
                    do {
                        try current.started(line: bytes)
                    } catch {
                        throw fail(error.message)
                    }
                    note("started: \(current.label)")
                    continue
                }
                startLineRead = true
                lineNumber += 1
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                if let step = try stepFrom(bytes) { return step }
            }
        }
    }

    /// After the program's output ended early: launches it again when the cluster ended it and retries
    /// are left (noting why), else fails the trial.
    private func relaunchOrFail() throws(ObjectiveError) {
        if cancelled.load(ordering: .acquiring) { throw fail("command: \(who): cancelled") }
        let old = process
        let status = old.terminate(grace: objective.graceSeconds)
        output.drainStderr()
        let tail = ChildOutput.printable(output.stderrTail, limit: CommandObjective.stderrTailBytes)
        let cause = old.endCause(status: status, stderrTail: tail)
        let maxRetries = objective.maxRetries
        guard cause.retryable, retries < maxRetries else {
            let retried = cause.retryable ? " (no retries left of \(maxRetries))" : ""
            throw fail(
                "command: \(who) \(cause.text)\(retried) at resource \(resource) "
                    + "before reaching max_resource \(objective.maxResource ?? 0)"
                    + (tail.isEmpty ? "; stderr was empty" : "; stderr tail: \(tail)"))
        }
        retries += 1
        note("\(old.label) \(cause.text) at resource \(resource); launching again (retry \(retries) of \(maxRetries))")
        let fresh = try objective.launch(environment: environment)
        processLock.lock()
        processValue = fresh
        processLock.unlock()
        output = Self.reader(fresh)
        startLineRead = false
        repeatedThrough = resource
        lineNumber = 0
        // A cancel that raced the relaunch reaches the new process too.
        if cancelled.load(ordering: .acquiring) { CommandTerminations.terminate(fresh, grace: objective.graceSeconds) }
    }

    /// The step a line reports; nil for a line that a relaunched program repeats.
    private func stepFrom(_ bytes: [UInt8]) throws(ObjectiveError) -> Step? {
        let text = ChildOutput.printable(bytes, limit: 200)
        let parsed: StepLine
        do {
            parsed = try StepLine.parse(bytes)
        } catch {
            throw fail("command: \(who): stdout line \(lineNumber) is not a step (\(error)): \(text)")
        }
        if parsed.resource <= repeatedThrough { return nil }
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
        resource = parsed.resource
        return Step(resource: parsed.resource, value: parsed.value, cost: parsed.seconds)
    }

    private func fail(_ message: String) -> ObjectiveError {
        let error = ObjectiveError(message)
        failure = error
        return error
    }

    /// Terminates the process group now, once (a step waiting for output then throws).
    func cancel() {
        guard cancelled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        CommandTerminations.terminate(process, grace: objective.graceSeconds)
    }

    /// The pid of a local child (the process group's id), for tests; for Slurm, the local srun's.
    var processID: Int32 {
        switch process {
        case let child as ChildProcess: return child.pid
        case let job as SlurmJobProcess: return job.child.pid
        default: return -1
        }
    }
}
