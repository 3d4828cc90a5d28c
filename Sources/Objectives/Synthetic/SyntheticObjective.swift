import ASHA
import Foundation

/// A synthetic function made multi-fidelity (see `SyntheticSettings` for the formula): cheap,
/// with a known optimum, for tests and benchmarks. Hyperparameters are the function's coordinates
/// (`x1`, `x2`, …), all required; metric `value`, minimised.
public struct SyntheticObjective: Objective {
    /// The catalog name (`branin`, `hartmann6`, `lognormal-sleep`).
    public let name: String
    /// The function being minimised.
    public let function: SyntheticFunction
    /// How the function is made multi-fidelity, noisy, slow or failing.
    public let settings: SyntheticSettings
    /// Always `value`.
    public var metric: String { "value" }
    /// Always `.minimize`.
    public var goal: Goal { .minimize }
    /// Uniform over the function's box, one parameter per coordinate.
    public let defaultSpace: SearchSpace
    /// `settings.maxResource`.
    public var maxResource: Int? { settings.maxResource }
    /// The coordinates a trial reads (`rules(_:)`).
    private let rules: [HyperparameterRule]

    /// Wraps `function`; `name` defaults to the function's name.
    public init(function: SyntheticFunction, settings: SyntheticSettings = SyntheticSettings(), name: String? = nil)
        throws(ObjectiveError)
    {
        self.name = name ?? function.name
        self.function = function
        self.settings = settings
        rules = Self.rules(function)
        guard settings.maxResource >= 1 else { throw ObjectiveError("\(self.name): max_resource must be ≥ 1") }
        let parameters = function.coordinates.map {
            Parameter(name: $0.name, domain: .uniform(low: $0.low, high: $0.high, step: nil))
        }
        do {
            defaultSpace = try SearchSpace(parameters)
        } catch {
            throw ObjectiveError("\(self.name): default search space rejected: \(error)")
        }
    }

    /// Reads the coordinates from `config` (each required, numeric and inside the function's box).
    public func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        try makeSyntheticTrial(config: config, seed: seed)
    }

    /// Continues a trial from its `checkpoint()` (the resource it reached).
    public func restoreTrial(config: Configuration, seed: UInt64, checkpoint: [UInt8]) throws -> any ObjectiveTrial {
        try makeSyntheticTrial(config: config, seed: seed).restored(from: checkpoint, objective: name)
    }

    /// The coordinates a trial reads, each required and inside the function's box.
    static func rules(_ function: SyntheticFunction) -> [HyperparameterRule] {
        function.coordinates.map { c in
            let (low, high) = (c.low, c.high)
            return HyperparameterRule(
                c.name,
                .real(valid: { (low...high).contains($0) }, rule: "in [\(formatShort(low)), \(formatShort(high))]"),
                default: nil)
        }
    }

    /// Checks that the space gives every coordinate, and only values inside the function's box (else
    /// every trial would fail): throws `SpaceParameterError` naming the coordinate.
    public func configured(for space: SearchSpace) throws -> any Objective {
        try HyperparameterRule.check(space, rules: rules, objective: name)
        return self
    }

    private func makeSyntheticTrial(config: Configuration, seed: UInt64) throws(ObjectiveError) -> SyntheticTrial {
        let reader = HyperparameterReader(config: config, objective: name)
        var x: [Double] = []
        for rule in rules { x.append(try reader.double(rule)) }
        return SyntheticTrial(objective: self, x: x, seed: seed)
    }

    /// The noiseless value at `x` after `resource` units: f(x) plus the fidelity bias.
    public func noiselessValue(at x: [Double], resource: Int) -> Double {
        let f = function(x)
        let r = Double(resource)
        let big = Double(settings.maxResource)
        guard settings.bias != 0, r < big else { return f }
        let tau = (settings.tau ?? big / 8) * (1 + settings.tauSpread * (2 * unitHash(x) - 1))
        let tail = exp(-big / tau)
        let fraction = (exp(-r / tau) - tail) / (1 - tail)
        return f + settings.bias * (1 + abs(f)) * fraction
    }

    /// A fixed number in [0, 1) that depends only on the coordinates' bits.
    private func unitHash(_ x: [Double]) -> Double {
        var h: UInt64 = 0x51_7CC1_B727_220A
        for value in x { h = SplitMix64.mix(h ^ value.bitPattern) }
        return Double(h >> 11) * 0x1.0p-53
    }
}

/// One point of a synthetic function, stepped one resource unit at a time; its checkpoint is the resource
/// reached (everything else follows from the configuration and the seed).
final class SyntheticTrial: ResourceCheckpointing, @unchecked Sendable {
    private let objective: SyntheticObjective
    private let x: [Double]
    private let seed: UInt64
    /// The resource where an injected failure throws, if this trial fails.
    private let failAt: Int?
    /// The resource from which this trial reports NaN, if it diverges.
    private let nanFrom: Int?
    var resource = 0
    static let tag = "synthetic/1"

    private enum Stream: UInt64 {
        case noise = 1
        case duration = 2
        case failure = 3
        case divergence = 4
    }

    init(objective: SyntheticObjective, x: [Double], seed: UInt64) {
        self.objective = objective
        self.x = x
        self.seed = seed
        let big = UInt64(objective.settings.maxResource)
        var failRNG = SplitMix64(seed: seed, stream: Stream.failure.rawValue << 56)
        failAt = failRNG.nextUnit() < objective.settings.failRate ? Int(1 + failRNG.next() % big) : nil
        var nanRNG = SplitMix64(seed: seed, stream: Stream.divergence.rawValue << 56)
        nanFrom = nanRNG.nextUnit() < objective.settings.nanRate ? Int(1 + nanRNG.next() % big) : nil
    }

    func step() throws -> Step {
        let next = resource + 1
        let settings = objective.settings
        if next == failAt {
            throw ObjectiveError(
                "\(objective.name): injected failure at resource \(next) (fail_rate \(formatShort(settings.failRate)))")
        }
        var duration = settings.costPerUnit
        if settings.sigma > 0 {
            var rng = SplitMix64(seed: seed, stream: Stream.duration.rawValue << 56 | UInt64(next))
            duration *= exp(settings.sigma * rng.nextGaussian())
        }
        if settings.sleep && duration > 0 {
            Thread.sleep(forTimeInterval: duration)
        }
        var value = objective.noiselessValue(at: x, resource: next)
        if settings.noise > 0 {
            var rng = SplitMix64(seed: seed, stream: Stream.noise.rawValue << 56 | UInt64(next))
            value += settings.noise * rng.nextGaussian()
        }
        if let nanFrom, next >= nanFrom {
            value = .nan
        }
        resource = next
        return Step(resource: next, value: value, cost: duration)
    }
}
