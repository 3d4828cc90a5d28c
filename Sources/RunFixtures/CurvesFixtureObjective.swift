import ASHA
import Foundation
import Objectives

/// A cheap objective for recorded runs: an MLP-like search space (learning rate, batch size, dropout,
/// layers, optimizer) and smooth seeded learning curves that cross, with a seeded step cost and a few
/// trials that fail. Everything depends on the configuration and the trial's seed alone.
public struct CurvesFixtureObjective: Objective {
    public var name: String { "curves-fixture" }
    public var metric: String { "loss" }
    public var goal: Goal { .minimize }
    public var maxResource: Int? { 81 }
    /// Fraction of trials that throw at their third step.
    public var failRate: Double

    public init(failRate: Double = 0.02) { self.failRate = failRate }

    public var defaultSpace: SearchSpace {
        // The parameters are fixed and valid: the initializer cannot throw on them.
        try! SearchSpace([
            Parameter(name: "lr", domain: .logUniform(low: 1e-4, high: 1, step: nil)),
            Parameter(name: "batch", domain: .choice([.int(16), .int(32), .int(64), .int(128)])),
            Parameter(name: "dropout", domain: .uniform(low: 0, high: 0.5, step: nil)),
            Parameter(name: "layers", domain: .int(low: 1, high: 4)),
            Parameter(name: "optimizer", domain: .choice([.string("adam"), .string("sgd"), .string("rmsprop")])),
        ])
    }

    public func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        let lr = config["lr"]?.doubleValue ?? 0.01
        let dropout = config["dropout"]?.doubleValue ?? 0.2
        let layers = config["layers"]?.doubleValue ?? 2
        let batch = config["batch"]?.doubleValue ?? 32
        let optimizer: Double =
            switch config["optimizer"] {
            case .string("adam")?: 0
            case .string("rmsprop")?: 0.03
            default: 0.06
            }
        // The loss it converges to: best near lr = 0.01, dropout 0.2, 3 layers, with adam.
        let distance = pow(log10(lr) + 2, 2) * 0.08 + pow(dropout - 0.2, 2) + pow(layers - 3, 2) * 0.01
        let floor = 0.05 + distance + optimizer
        let bits = SplitMix64.mix(seed)
        return CurvesFixtureTrial(
            floor: floor, start: 2.3, tau: 4 + SplitMix64.unitInterval(bits) * 20,
            cost: 0.2 * (1 + layers / 2) * (batch / 64).squareRoot(),
            failsAt: SplitMix64.unitInterval(SplitMix64.mix(bits)) < failRate ? 3 : nil, seed: seed)
    }
}

/// One trial of `CurvesFixtureObjective`.
final class CurvesFixtureTrial: ObjectiveTrial, @unchecked Sendable {  // the tuner runs one step at a time
    let floor: Double
    let start: Double
    let tau: Double
    let cost: Double
    let failsAt: Int?
    let seed: UInt64
    private(set) var resource = 0

    init(floor: Double, start: Double, tau: Double, cost: Double, failsAt: Int?, seed: UInt64) {
        self.floor = floor
        self.start = start
        self.tau = tau
        self.cost = cost
        self.failsAt = failsAt
        self.seed = seed
    }

    struct Diverged: Error, CustomStringConvertible {
        var description: String { "loss diverged (exploding gradients)" }
    }

    func step() throws -> Step {
        resource += 1
        if resource == failsAt { throw Diverged() }
        let noise = (SplitMix64.unitInterval(SplitMix64.bits(seed: seed, UInt64(resource), 1)) - 0.5) * 0.01
        let value = floor + (start - floor) * exp(-Double(resource) / tau) + noise
        return Step(resource: resource, value: value, cost: cost)
    }
}
