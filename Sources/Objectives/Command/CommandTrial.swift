import Foundation
import Synchronization
import TextSafety

/// A trial of `CommandObjective`: one live child process group, read one line per step.
final class CommandTrial: ObjectiveTrial, @unchecked Sendable {
    private let objective: CommandObjective
    let child: ChildProcess
    private var output: ChildOutput
    private(set) var resource = 0
    private var lineNumber = 0
    /// Set when the trial was cancelled: the next step throws.
    private let cancelled = Atomic<Bool>(false)
    /// Set once the trial failed: later steps throw the same error.
    private var failure: ObjectiveError?

    init(objective: CommandObjective, child: ChildProcess) {
        self.objective = objective
        self.child = child
        output = ChildOutput(
            stdoutFD: child.stdoutFD, stderrFD: child.stderrFD, maxLineBytes: CommandObjective.maxLineBytes,
            stderrTailBytes: CommandObjective.stderrTailBytes)
    }

    /// Terminates the process group in the background (SIGTERM, SIGKILL after the grace period),
    /// unless `cancel()` did already.
    deinit {
        cancel()
    }

    /// The program's name (and its first argument's, e.g. the script an interpreter runs) and pid, for messages.
    private var who: String {
        let names = objective.argv.prefix(2).enumerated().compactMap { index, word -> String? in
            if index > 0, word.hasPrefix("-") { return nil }
            return word.split(separator: "/").last.map(String.init) ?? word
        }
        return "\(names.joined(separator: " ")) (pid \(child.pid))"
    }

    func step() throws -> Step {
        if let failure { throw failure }
        if cancelled.load(ordering: .acquiring) { throw fail("command: \(who): cancelled") }
        if objective.stopBetweenSteps { child.signalGroup(SIGCONT) }
        defer { if objective.stopBetweenSteps { child.signalGroup(SIGSTOP) } }
        while true {
            // A stop signal that races a fork in the child can reach the new process after the
            // continue signal did: while waiting, the group is continued again now and then.
            let resend = objective.stopBetweenSteps
            switch output.nextLine(idle: { if resend { child.signalGroup(SIGCONT) } }) {
            case .end:
                throw fail(ended())
            case .tooLong:
                throw fail(
                    "command: \(who): stdout line \(lineNumber + 1) is longer than \(CommandObjective.maxLineBytes) bytes"
                )
            case .line(let bytes):
                lineNumber += 1
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                return try stepFrom(bytes)
            }
        }
    }

    private func stepFrom(_ bytes: [UInt8]) throws(ObjectiveError) -> Step {
        let text = Sanitizer.clean(bytes: bytes, maxColumns: 200)
        let parsed: StepLine
        do {
            parsed = try StepLine.parse(bytes)
        } catch {
            throw fail("command: \(who): stdout line \(lineNumber) is not a step (\(error)): \(text)")
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
        resource = parsed.resource
        if let max = objective.maxResource, parsed.resource == max, let status = exitAfterLastLine(), status != 0 {
            output.drainStderr()
            let tail = Sanitizer.clean(bytes: output.stderrTail, maxColumns: CommandObjective.stderrTailBytes)
            throw fail(
                "command: \(who) \(ChildProcess.describe(status)) after its last line (resource \(parsed.resource), "
                    + "value \(parsed.value))" + (tail.isEmpty ? "; stderr was empty" : "; stderr tail: \(tail)"))
        }
        return Step(resource: parsed.resource, value: parsed.value, cost: parsed.seconds)
    }

    /// After the last step line: the program's own exit status, if it exits within the grace period
    /// (a program that failed while saving its results says so by its status, and that is recorded);
    /// nil when it is still running then (it is ended the usual way, which is not its failure).
    private func exitAfterLastLine() -> Int32? {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, objective.graceSeconds) * 1e9)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            if let status = child.exitStatus() { return status }
            output.drainStderr()
            usleep(2_000)
        }
        return nil
    }

    /// The message for a child whose output ended before the trial did.
    private func ended() -> String {
        if cancelled.load(ordering: .acquiring) { return "command: \(who): cancelled" }
        let status = child.terminate(grace: objective.graceSeconds)
        output.drainStderr()
        let tail = Sanitizer.clean(bytes: output.stderrTail, maxColumns: CommandObjective.stderrTailBytes)
        return "command: \(who) \(ChildProcess.describe(status)) at resource \(resource) "
            + "before reaching max_resource \(objective.maxResource ?? 0)"
            + (tail.isEmpty ? "; stderr was empty" : "; stderr tail: \(tail)")
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
        CommandTerminations.terminate(child, grace: objective.graceSeconds)
    }

    /// The pid of the child (the process group's id), for tests.
    var processID: Int32 { child.pid }
}
