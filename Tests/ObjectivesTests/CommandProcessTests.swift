import ASHA
import Foundation
import Testing

@testable import Objectives

@Suite("command objective: the child process")
struct CommandProcessTests {
    @Test("A child that exits before max_resource fails the trial with its exit status and stderr tail")
    func earlyExit() throws {
        let dir = try ScriptDirectory(
            """
            echo '{"resource": 1, "value": 0.5}'
            head -c 10000 /dev/zero | tr '\\0' a >&2
            printf 'Traceback:\\n  \\033[31mValueError\\033[0m: boom\\n' >&2
            exit 3
            """)
        defer { dir.cleanUp() }
        let trial = try dir.objective().makeTrial(config: config([:]), seed: 1)
        #expect(try trial.step().resource == 1)
        let message = thrownMessage { _ = try trial.step() }
        #expect(message.contains("exited with status 3 at resource 1 before reaching max_resource 9"), "\(message)")
        #expect(message.hasSuffix("Traceback: ValueError: boom"), "\(message)")
        #expect(!message.unicodeScalars.contains { $0.properties.generalCategory == .control })
        #expect(message.count < 4_400, "the tail is bounded: \(message.count)")
        // A failed trial stays failed.
        #expect(thrownMessage { _ = try trial.step() } == message)
    }

    @Test("A child that writes a lot to stderr before its first line does not block: stderr is drained")
    func stderrIsDrained() throws {
        let dir = try ScriptDirectory(
            """
            head -c 1000000 /dev/zero | tr '\\0' e >&2
            echo 'last words' >&2
            echo '{"resource": 1, "value": 0.5}'
            exit 0
            """)
        defer { dir.cleanUp() }
        let trial = try dir.objective().makeTrial(config: config([:]), seed: 1)
        #expect(try trial.step() == Step(resource: 1, value: 0.5, cost: nil))
        let message = thrownMessage { _ = try trial.step() }
        #expect(message.contains("exited with status 0 at resource 1"), "\(message)")
        #expect(message.hasSuffix("eeeelast words"), "\(message)")
    }

    @Test("A child killed by a signal says which; one with nothing on stderr says so")
    func killedBySignal() throws {
        let dir = try ScriptDirectory("kill -SEGV $$\n")
        defer { dir.cleanUp() }
        let trial = try dir.objective().makeTrial(config: config([:]), seed: 1)
        let message = thrownMessage { _ = try trial.step() }
        #expect(message.contains("was killed by signal 11 (SIGSEGV) at resource 0"), "\(message)")
        #expect(message.hasSuffix("stderr was empty"), "\(message)")
    }

    /// A script that reports one step, starts a grandchild in the background, records both pids,
    /// then blocks (as a long training step would).
    static let blocking = """
        sleep 1000 &
        echo "$$ $!" > "$(dirname "$0")/pids.txt"
        echo '{"resource": 1, "value": 0.5}'
        wait
        """

    private func pids(_ dir: ScriptDirectory) throws -> (leader: Int32, grandchild: Int32) {
        let words = dir.read("pids.txt").split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
        try #require(words.count == 2)
        return (words[0], words[1])
    }

    @Test("Releasing a trial terminates its whole process group and reaps the child")
    func releaseTerminatesGroup() throws {
        let dir = try ScriptDirectory(Self.blocking)
        defer { dir.cleanUp() }
        var trial: (any ObjectiveTrial)? = try dir.objective().makeTrial(config: config([:]), seed: 1)
        #expect(try trial?.step().resource == 1)
        let (leader, grandchild) = try pids(dir)
        #expect(processState(grandchild) != nil)
        #expect((trial as? CommandTrial)?.processID == getpgid(leader), "the program is in the trial's process group")
        trial = nil
        CommandTerminations.waitForAll()
        #expect(processIsGone(leader), "the program is gone")
        #expect(processIsGone(grandchild), "the grandchild is gone")
    }

    @Test("cancel() from another thread ends a step blocked in the child and terminates the group")
    func cancelMidStep() throws {
        let dir = try ScriptDirectory(Self.blocking)
        defer { dir.cleanUp() }
        let trial = try dir.objective(stopBetweenSteps: false).makeTrial(config: config([:]), seed: 1)
        #expect(try trial.step().resource == 1)
        let (leader, grandchild) = try pids(dir)
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        DispatchQueue.global().async {
            outcome.set(thrownMessage { _ = try trial.step() })
            done.signal()
        }
        trial.cancel()
        #expect(done.wait(timeout: .now() + 60) == .success, "the blocked step returned")
        #expect(outcome.value.hasSuffix("cancelled"), "\(outcome.value)")
        CommandTerminations.waitForAll()
        #expect(processIsGone(leader), "the program is gone")
        #expect(processIsGone(grandchild), "the grandchild is gone")
    }

    @Test("Between steps the process group is stopped, and continued for the next step")
    func stoppedBetweenSteps() throws {
        let dir = try ScriptDirectory(
            """
            sleep 1000 &
            echo "$$ $!" > "$(dirname "$0")/pids.txt"
            i=1
            while true; do echo "{\\"resource\\": $i, \\"value\\": 1}"; i=$((i + 1)); done
            """)
        defer { dir.cleanUp() }
        let trial = try dir.objective(maxResource: 1_000_000).makeTrial(config: config([:]), seed: 1)
        #expect(try trial.step().resource == 1)
        let (leader, grandchild) = try pids(dir)
        #expect(waitForState(leader, "T"), "the leader is stopped")
        #expect(waitForState(grandchild, "T"), "the grandchild is stopped")
        #expect(try trial.step().resource == 2)
        trial.cancel()
        CommandTerminations.waitForAll()
        #expect(processIsGone(leader))
        #expect(processIsGone(grandchild))
    }

    @Test("A child that ignores SIGTERM is killed after the grace period")
    func ignoresTerm() throws {
        let dir = try ScriptDirectory(
            """
            trap '' TERM
            echo "$$" > "$(dirname "$0")/pids.txt"
            echo '{"resource": 1, "value": 0.5}'
            while true; do sleep 1; done
            """)
        defer { dir.cleanUp() }
        let objective = try CommandObjective(
            run: "/bin/sh train.sh", maxResource: 9, graceSeconds: 0.2, baseDirectory: dir.path)
        let trial = try objective.makeTrial(config: config([:]), seed: 1)
        #expect(try trial.step().resource == 1)
        let leader = try #require(Int32(dir.read("pids.txt").trimmingCharacters(in: .whitespacesAndNewlines)))
        trial.cancel()
        CommandTerminations.waitForAll()
        #expect(processIsGone(leader))
    }
}

/// A value set by one thread and read by another.
final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    var value: String {
        lock.lock()
        defer { lock.unlock() }
        return text
    }
    func set(_ s: String) {
        lock.lock()
        text = s
        lock.unlock()
    }
}
