import Foundation
import Testing

@testable import Objectives

/// A program's exit status after its last step line is recorded, not ignored (issue 10, item 8).
@Suite("command objective: the exit status after the last line")
struct CommandExitStatusTests {
    static func lastSteps(then tail: String) -> String {
        """
        echo '{"resource": 3, "value": 0.5}'
        echo '{"resource": 9, "value": 0.25}'
        \(tail)
        """
    }

    @Test func aFailureAfterTheLastLineFailsTheTrialWithItsStatus() throws {
        let dir = try ScriptDirectory(Self.lastSteps(then: "echo 'saving failed' >&2; exit 3"))
        defer { dir.cleanUp() }
        let trial = try dir.objective().makeTrial(config: config([:]), seed: 1)
        #expect(try trial.step().resource == 3)
        let message = thrownMessage { _ = try trial.step() }
        #expect(message.contains("exited with status 3 after its last line (resource 9, value 0.25)"), "\(message)")
        #expect(message.hasSuffix("stderr tail: saving failed"), "\(message)")
    }

    @Test func aCleanExitCompletesTheTrial() throws {
        let dir = try ScriptDirectory(Self.lastSteps(then: "exit 0"))
        defer { dir.cleanUp() }
        let trial = try dir.objective().makeTrial(config: config([:]), seed: 1)
        #expect(try trial.step().resource == 3)
        #expect(try trial.step() == Step(resource: 9, value: 0.25))
    }

    @Test func aProgramThatLingersAfterItsLastLineIsNotCountedFailed() throws {
        // It is ended by the usual termination (SIGTERM), which is not its own failure.
        let dir = try ScriptDirectory(Self.lastSteps(then: "sleep 30"))
        defer { dir.cleanUp() }
        let trial = try dir.objective().makeTrial(config: config([:]), seed: 1)
        #expect(try trial.step().resource == 3)
        #expect(try trial.step() == Step(resource: 9, value: 0.25))
    }
}
