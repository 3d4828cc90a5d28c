import ASHA
import Objectives
import Testing

/// An objective that implements only the required members, to see the defaults.
private struct Plain: Objective {
    final class Trial: ObjectiveTrial {
        var resource: Int { 0 }
        func step() throws -> Step { Step(resource: 1, value: 0) }
    }
    var name: String { "plain" }
    var metric: String { "value" }
    var goal: Goal { .minimize }
    var defaultSpace: SearchSpace {
        try! SearchSpace([Parameter(name: "x", domain: .uniform(low: 0, high: 1, step: nil))])
    }
    var maxResource: Int? { nil }
    func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial { Trial() }
}

@Suite("Checkpoints")
struct CheckpointTests {
    /// Steps a trial to 3, snapshots it, restores the snapshot into a new trial, and checks that
    /// both continue identically to 6.
    private func roundTrip(_ objective: any Objective, _ c: Configuration, seed: UInt64 = 4) throws {
        let original = try objective.makeTrial(config: c, seed: seed)
        _ = try run(original, to: 3)
        let bytes = try #require(original.checkpoint())
        let restored = try objective.restoreTrial(config: c, seed: seed, checkpoint: bytes)
        #expect(restored.resource == original.resource)
        let a = try run(original, to: 6)
        let b = try run(restored, to: 6)
        #expect(a == b, "\(objective.name)")
        #expect(a.count == 3)
    }

    @Test("A restored trial continues exactly as the original, for every built-in objective")
    func roundTrips() throws {
        var noisy = SyntheticSettings()
        noisy.noise = 0.3
        noisy.sigma = 0.5
        try roundTrip(SyntheticObjective(function: .branin, settings: noisy), point([1, 2]))
        try roundTrip(ObjectiveCatalog.make(name: "zero", options: [:]), point([0.5, 0.5]))
        let digits = try DigitsMLPObjective()
        try roundTrip(digits, config(["hidden_units": .int(12), "batch_size": .int(128)]))
        let csv = "a,resource,m,seconds\n1,1,0.9,1\n1,2,0.8,1\n1,3,0.7,1\n1,4,0.6,1\n1,5,0.5,1\n1,6,0.4,1\n"
        try roundTrip(CurvesObjective(csv: Array(csv.utf8), source: "c.csv", metric: "m"), config(["a": .int(1)]))
    }

    @Test("A damaged or foreign checkpoint is refused")
    func damaged() throws {
        let digits = try DigitsMLPObjective()
        let c = config(["hidden_units": .int(8)])
        let trial = try digits.makeTrial(config: c, seed: 1)
        _ = try trial.step()
        let bytes = try #require(trial.checkpoint())
        func refusal(_ objective: any Objective, _ c: Configuration, _ bytes: [UInt8]) -> String {
            message { _ = try objective.restoreTrial(config: c, seed: 1, checkpoint: bytes) }
        }
        #expect(refusal(digits, c, Array(bytes.dropLast(5))).contains("invalid checkpoint: truncated"))
        #expect(refusal(digits, c, bytes + [0]).contains("trailing bytes"))
        #expect(refusal(digits, config(["hidden_units": .int(9)]), bytes).contains("hidden_units 8"))
        let branin = try SyntheticObjective(function: .branin)
        #expect(refusal(branin, point([0, 0]), bytes).contains("not a synthetic/1 checkpoint"))
        #expect(refusal(digits, c, []).contains("invalid checkpoint"))
    }

    @Test("Objectives that do not implement checkpoints say so")
    func unsupported() throws {
        let plain = Plain()
        #expect(try plain.makeTrial(config: Configuration([]), seed: 0).checkpoint() == nil)
        #expect(
            message { _ = try plain.restoreTrial(config: Configuration([]), seed: 0, checkpoint: []) }.contains("plain")
        )
    }
}
