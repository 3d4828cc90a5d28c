/// A search space seen by a model: every tuned parameter is one coordinate. A range maps onto [0, 1]
/// in the scale the space declares (log for `loguniform` and `logint`, linear for `uniform` and `int`;
/// an integer k owns the cell [k − ½, k + ½], so rounding a decoded value is fair to every integer); a
/// choice is a categorical coordinate holding the index of its value. Constants are not coordinates.
struct UnitEncoding: Sendable {
    enum Kind: Sendable, Equatable {
        /// A coordinate in [0, 1].
        case continuous
        /// A choice among `count` values; the coordinate is the value's index.
        case categorical(count: Int)
    }

    /// The coordinate of each tuned parameter: its index in the space and its kind.
    let coordinates: [(parameter: Int, kind: Kind)]
    let space: SearchSpace
    /// Per coordinate: the range mapped to [0, 1] (after the log for log scales).
    private let lows: [Double]
    private let widths: [Double]

    init(_ space: SearchSpace) {
        self.space = space
        var coordinates: [(Int, Kind)] = []
        var lows: [Double] = []
        var widths: [Double] = []
        for (i, p) in space.parameters.enumerated() {
            let (kind, low, high): (Kind, Double, Double)
            switch p.domain {
            case .constant: continue
            case .choice(let values):
                if values.count < 2 { continue }
                (kind, low, high) = (.categorical(count: values.count), 0, 1)
            case .uniform(let l, let h, _): (kind, low, high) = (.continuous, l, h)
            case .logUniform(let l, let h, _):
                (kind, low, high) = (.continuous, DeterministicMath.log(l), DeterministicMath.log(h))
            case .int(let l, let h): (kind, low, high) = (.continuous, Double(l) - 0.5, Double(h) + 0.5)
            case .logInt(let l, let h):
                (kind, low, high) = (
                    .continuous, DeterministicMath.log(Double(l) - 0.5), DeterministicMath.log(Double(h) + 0.5)
                )
            }
            coordinates.append((i, kind))
            lows.append(low)
            widths.append(high - low)
        }
        self.coordinates = coordinates
        self.lows = lows
        self.widths = widths
    }

    /// The number of coordinates.
    var count: Int { coordinates.count }

    /// The coordinates of `config` (a configuration of this space). A value the space does not hold
    /// (never the case for sampled configurations) maps to the nearest end, or to choice 0.
    func encode(_ config: Configuration) -> [Double] {
        coordinates.enumerated().map { c, coordinate in
            let value = config.entries[coordinate.parameter].value
            switch space.parameters[coordinate.parameter].domain {
            case .choice(let values): return Double(values.firstIndex(of: value) ?? 0)
            case .logUniform, .logInt:
                let x = value.doubleValue ?? 1
                return clampUnit((DeterministicMath.log(max(x, .leastNormalMagnitude)) - lows[c]) / widths[c])
            default:
                return clampUnit(((value.doubleValue ?? lows[c]) - lows[c]) / widths[c])
            }
        }
    }

    /// The configuration at `unit` (one value per coordinate; constants filled in): ranges mapped back
    /// from [0, 1], integers rounded, steps snapped to their grid, everything within the bounds.
    func decode(_ unit: [Double]) -> Configuration {
        var entries = space.parameters.map { p -> Configuration.Entry in
            if case .constant(let v) = p.domain { return .init(name: p.name, value: v) }
            if case .choice(let values) = p.domain { return .init(name: p.name, value: values[0]) }
            return .init(name: p.name, value: .int(0))
        }
        for (c, coordinate) in coordinates.enumerated() {
            let u = clampUnit(unit[c])
            let x = lows[c] + u * widths[c]
            let value: ParameterValue
            switch space.parameters[coordinate.parameter].domain {
            case .choice(let values): value = values[min(values.count - 1, max(0, Int(unit[c])))]
            case .uniform(let low, let high, let step): value = .double(snap(min(high, max(low, x)), low, high, step))
            case .logUniform(let low, let high, let step):
                value = .double(snap(min(high, max(low, DeterministicMath.exp(x))), low, high, step))
            case .int(let low, let high): value = .int(min(high, max(low, Int(x.rounded()))))
            case .logInt(let low, let high): value = .int(min(high, max(low, Int(DeterministicMath.exp(x).rounded()))))
            case .constant(let v): value = v
            }
            entries[coordinate.parameter].value = value
        }
        return Configuration(entries)
    }

    private func snap(_ x: Double, _ low: Double, _ high: Double, _ step: Double?) -> Double {
        guard let step else { return x }
        let j = min(Domain.gridIndex(high, low: low, step: step), max(0, Int(((x - low) / step).rounded())))
        return Domain.gridPoint(j, low: low, high: high, step: step)
    }
}

@inline(__always)
func clampUnit(_ u: Double) -> Double {
    u.isNaN ? 0.5 : min(1, max(0, u))
}
