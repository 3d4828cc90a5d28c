import ASHA

/// An objective that costs nothing: each step returns at once a cheap deterministic value of the
/// configuration, for measuring the tuner's own throughput.
///
/// The value at resource r is s(config) + 1/r, where s sums, over the configuration's entries,
/// the square of each number (booleans count 0 or 1) and, for each string, a fixed fraction in
/// [0, 1) hashed from its bytes. Metric `value`, minimised; `Step.cost` is 0.
public struct ZeroObjective: Objective {
    /// Always `zero`.
    public var name: String { "zero" }
    /// Always `value`.
    public var metric: String { "value" }
    /// Always `.minimize`.
    public var goal: Goal { .minimize }
    /// `x` and `y`, uniform in [−1, 1] (any configuration is accepted, though).
    public let defaultSpace: SearchSpace
    /// The largest resource the tuner should ask for.
    public let maxResource: Int?

    /// A zero-cost objective whose trials go up to `maxResource`.
    public init(maxResource: Int = 81) throws(ObjectiveError) {
        guard maxResource >= 1 else { throw ObjectiveError("zero: max_resource must be ≥ 1") }
        self.maxResource = maxResource
        do {
            defaultSpace = try SearchSpace([
                Parameter(name: "x", domain: .uniform(low: -1, high: 1, step: nil)),
                Parameter(name: "y", domain: .uniform(low: -1, high: 1, step: nil)),
            ])
        } catch {
            throw ObjectiveError("zero: default search space rejected: \(error)")
        }
    }

    /// Any configuration works; the seed is unused (the objective is deterministic).
    public func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        makeZeroTrial(config: config)
    }

    private func makeZeroTrial(config: Configuration) -> ZeroTrial {
        var s = 0.0
        for entry in config.entries {
            switch entry.value {
            case .double(let d): s += d * d
            case .int(let i): s += Double(i) * Double(i)
            case .bool(let b): s += b ? 1 : 0
            case .string(let text):
                var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a: stable across processes
                for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
                s += Double(h >> 11) * 0x1.0p-53
            }
        }
        return ZeroTrial(base: s)
    }

    /// Continues a trial from its `checkpoint()` (the resource it reached).
    public func restoreTrial(config: Configuration, seed: UInt64, checkpoint: [UInt8]) throws -> any ObjectiveTrial {
        try makeZeroTrial(config: config).restored(from: checkpoint, objective: name)
    }
}

/// A trial of `ZeroObjective`.
final class ZeroTrial: ResourceCheckpointing, @unchecked Sendable {
    private let base: Double
    var resource = 0
    static let tag = "zero/1"

    init(base: Double) { self.base = base }

    func step() throws -> Step {
        resource += 1
        return Step(resource: resource, value: base + 1 / Double(resource), cost: 0)
    }
}
