/// The range or set one hyperparameter is drawn from.
///
/// Every range needs `low < high` (use `.constant` for a single value) and finite bounds; log ranges
/// need `low > 0` (`logInt`: `low ≥ 1`); a `step` must be finite and positive; a choice needs at least
/// one value. `SearchSpace.init` checks all of this and names the parameter at fault.
public enum Domain: Sendable, Hashable {
    /// Uniform float in [low, high]. With a `step`, uniform over the grid `low + j·step` (j = 0, 1, ...)
    /// that lies within [low, high].
    case uniform(low: Double, high: Double, step: Double?)
    /// Log-uniform float in [low, high] (both > 0). With a `step`, the log-uniform draw is rounded to the
    /// nearest grid point `low + j·step` that lies within [low, high].
    case logUniform(low: Double, high: Double, step: Double?)
    /// Uniform integer in [low, high], both included.
    case int(low: Int, high: Int)
    /// Log-uniform integer in [low, high] (1 ≤ low): a log-uniform draw in [low − ½, high + ½], rounded.
    case logInt(low: Int, high: Int)
    /// One of the listed values, each equally likely.
    case choice([ParameterValue])
    /// Always this value.
    case constant(ParameterValue)
}

/// One named hyperparameter.
public struct Parameter: Sendable, Hashable {
    /// The parameter's name: not empty, unique within its search space.
    public var name: String
    /// Where its values come from.
    public var domain: Domain

    /// A parameter called `name` drawn from `domain` (validated when put into a `SearchSpace`).
    public init(name: String, domain: Domain) {
        self.name = name
        self.domain = domain
    }
}

extension Domain {
    /// Grid steps beyond this are refused: the grid index must stay exact in a `Double`.
    static let maxGridPoints = 1 << 52

    /// The reason this domain is invalid, or nil when it is valid.
    func problem() -> String? {
        switch self {
        case .uniform(let low, let high, let step):
            return Self.rangeProblem(low: low, high: high, log: false) ?? Self.stepProblem(step, low: low, high: high)
        case .logUniform(let low, let high, let step):
            return Self.rangeProblem(low: low, high: high, log: true) ?? Self.stepProblem(step, low: low, high: high)
        case .int(let low, let high):
            return low < high ? nil : "low (\(low)) must be below high (\(high))"
        case .logInt(let low, let high):
            if low < 1 { return "a log range needs low ≥ 1 (got \(low))" }
            return low < high ? nil : "low (\(low)) must be below high (\(high))"
        case .choice(let values):
            return values.isEmpty ? "a choice needs at least one value" : nil
        case .constant:
            return nil
        }
    }

    private static func rangeProblem(low: Double, high: Double, log: Bool) -> String? {
        if !low.isFinite { return "low must be finite (got \(formatShort(low)))" }
        if !high.isFinite { return "high must be finite (got \(formatShort(high)))" }
        if low >= high { return "low (\(formatShort(low))) must be below high (\(formatShort(high)))" }
        if !(high - low).isFinite { return "the range is too wide (high − low overflows)" }
        if log && low <= 0 { return "a log range needs low > 0 (got \(formatShort(low)))" }
        return nil
    }

    private static func stepProblem(_ step: Double?, low: Double, high: Double) -> String? {
        guard let step else { return nil }
        if !step.isFinite || step <= 0 { return "step must be finite and positive (got \(formatShort(step)))" }
        if (high - low) / step >= Double(maxGridPoints) {
            return "step \(formatShort(step)) is too small for the range"
        }
        return nil
    }

    /// The value of this (valid) domain for 64 random bits.
    func value(bits: UInt64) -> ParameterValue {
        switch self {
        case .uniform(let low, let high, let step):
            let u = SplitMix64.unitInterval(bits)
            guard let step else { return .double(min(high, low + u * (high - low))) }
            let points = Self.gridIndex(high, low: low, step: step) + 1
            let j = min(points - 1, Int(u * Double(points)))
            return .double(Self.gridPoint(j, low: low, high: high, step: step))
        case .logUniform(let low, let high, let step):
            let a = DeterministicMath.log(low)
            let b = DeterministicMath.log(high)
            let x = min(high, max(low, DeterministicMath.exp(a + SplitMix64.unitInterval(bits) * (b - a))))
            guard let step else { return .double(x) }
            let j = min(Self.gridIndex(high, low: low, step: step), Int(((x - low) / step).rounded()))
            return .double(Self.gridPoint(j, low: low, high: high, step: step))
        case .int(let low, let high):
            let span = UInt64(bitPattern: Int64(high)) &- UInt64(bitPattern: Int64(low)) &+ 1
            let offset = span == 0 ? bits : bits.multipliedFullWidth(by: span).high
            return .int(Int(Int64(bitPattern: UInt64(bitPattern: Int64(low)) &+ offset)))
        case .logInt(let low, let high):
            let a = DeterministicMath.log(Double(low) - 0.5)
            let b = DeterministicMath.log(Double(high) + 0.5)
            let x = DeterministicMath.exp(a + SplitMix64.unitInterval(bits) * (b - a)).rounded()
            return .int(x >= Double(high) ? high : max(low, Int(x)))
        case .choice(let values):
            return values[SplitMix64.index(bits, below: values.count)]
        case .constant(let value):
            return value
        }
    }

    /// The index of the last grid point `low + j·step` not above `x`, allowing a rounding error of a
    /// billionth of a step (so `0.5` is on the grid of step `0.1`; `gridPoint` clamps to `high`).
    static func gridIndex(_ x: Double, low: Double, step: Double) -> Int {
        var j = Int(((x - low) / step + 1e-9).rounded(.down))
        while j > 0 && low + Double(j) * step > x + step * 1e-9 { j -= 1 }
        return j
    }

    static func gridPoint(_ j: Int, low: Double, high: Double, step: Double) -> Double {
        min(high, low + Double(j) * step)
    }
}
