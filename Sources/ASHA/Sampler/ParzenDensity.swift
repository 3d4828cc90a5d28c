/// A product-kernel Parzen density over a `UnitEncoding`'s coordinates, fitted to some points.
///
/// Continuous coordinates: a Gaussian kernel per point, truncated to [0, 1] (and renormalised there),
/// with bandwidth h = max(floor, 1.06 · σ · n^(−1/(d+4))) (the normal reference rule; σ the points'
/// standard deviation in that coordinate, n their number, d the number of coordinates). Categorical
/// coordinates with K values: the Aitchison–Aitken kernel, probability 1 − λ for the point's own value
/// and λ/(K − 1) for each other, λ = min((K − 1)/K, max(floor, 1.06 · s · n^(−1/(d+4)))) with s the
/// standard deviation of "is the most frequent value".
struct ParzenDensity: Sendable {
    /// The kernels' centers, point after point (`dimensions` numbers each).
    let centers: [Double]
    let dimensions: Int
    let kinds: [UnitEncoding.Kind]
    /// Per coordinate: the bandwidth (continuous) or λ (categorical).
    let bandwidths: [Double]
    /// Per kernel: −Σ log(truncation mass) over continuous coordinates.
    private let kernelLogWeights: [Double]
    /// −Σ log(h·√(2π)) over continuous coordinates, minus log(number of kernels).
    private let logScale: Double
    /// Per coordinate: 1/h (continuous), or log(1 − λ) and log(λ/(K − 1)) (categorical).
    private let inverseBandwidths: [Double]
    private let logSame: [Double]
    private let logOther: [Double]

    var kernels: Int { kernelLogWeights.count }

    /// Fits kernels at `points` (each `kinds.count` long); `size` is the size of the set they stand for
    /// (the points may be an even thinning of a larger set), used by the bandwidth rule.
    init(points: [[Double]], size: Int, kinds: [UnitEncoding.Kind], floor: Double) {
        let d = kinds.count
        self.dimensions = d
        self.kinds = kinds
        var centers: [Double] = []
        centers.reserveCapacity(points.count * d)
        for p in points { centers += p }
        self.centers = centers
        let n = Double(max(1, points.count))
        let factor = 1.06 * Self.power(Double(max(1, size)), -1 / Double(d + 4))
        var bandwidths: [Double] = []
        for (j, kind) in kinds.enumerated() {
            switch kind {
            case .continuous:
                var mean = 0.0
                for p in points { mean += p[j] }
                mean /= n
                var variance = 0.0
                for p in points { variance += (p[j] - mean) * (p[j] - mean) }
                let sd = (variance / n).squareRoot()
                bandwidths.append(max(floor, factor * sd))
            case .categorical(let count):
                var counts = [Int](repeating: 0, count: count)
                for p in points { counts[min(count - 1, max(0, Int(p[j])))] += 1 }
                let share = Double(counts.max() ?? 0) / n
                let s = (share * (1 - share)).squareRoot()
                bandwidths.append(min(Double(count - 1) / Double(count), max(floor, factor * s)))
            }
        }
        self.bandwidths = bandwidths
        var weights: [Double] = []
        weights.reserveCapacity(points.count)
        for p in points {
            var w = 0.0
            for (j, kind) in kinds.enumerated() where kind == .continuous {
                let h = bandwidths[j]
                let mass = NormalDistribution.cdf((1 - p[j]) / h) - NormalDistribution.cdf((0 - p[j]) / h)
                w -= DeterministicMath.log(max(mass, 1e-300))
            }
            weights.append(w)
        }
        kernelLogWeights = weights
        var scale = -DeterministicMath.log(n)
        for (j, kind) in kinds.enumerated() where kind == .continuous {
            scale -= DeterministicMath.log(bandwidths[j] * 2.506_628_274_631_000_5)
        }
        logScale = scale
        inverseBandwidths = bandwidths.map { 1 / $0 }
        logSame = zip(kinds, bandwidths).map { kind, b in
            if case .categorical = kind { return DeterministicMath.log(1 - b) }
            return 0
        }
        logOther = zip(kinds, bandwidths).map { kind, b in
            if case .categorical(let count) = kind { return DeterministicMath.log(b / Double(count - 1)) }
            return 0
        }
    }

    /// x^y for x > 0, with the deterministic log and exp.
    static func power(_ x: Double, _ y: Double) -> Double {
        DeterministicMath.exp(y * DeterministicMath.log(x))
    }

    /// log p(x). `scratch` holds one number per kernel (reused between calls, so scoring allocates nothing).
    /// Kernels more than e^−40 below the largest are left out of the sum (they change it by less than 1e-17).
    func logDensity(_ x: UnsafeBufferPointer<Double>, scratch: inout [Double]) -> Double {
        let d = dimensions
        let m = kernels
        if scratch.count < m { scratch = [Double](repeating: 0, count: m) }
        var largest = -Double.infinity
        centers.withUnsafeBufferPointer { c in
            inverseBandwidths.withUnsafeBufferPointer { inv in
                for k in 0..<m {
                    var a = kernelLogWeights[k]
                    var squares = 0.0
                    let base = k * d
                    for j in 0..<d {
                        switch kinds[j] {
                        case .continuous:
                            let z = (x[j] - c[base + j]) * inv[j]
                            squares += z * z
                        case .categorical:
                            a += x[j] == c[base + j] ? logSame[j] : logOther[j]
                        }
                    }
                    a -= 0.5 * squares
                    scratch[k] = a
                    if a > largest { largest = a }
                }
            }
        }
        guard largest > -Double.infinity else { return -Double.infinity }
        var sum = 0.0
        for k in 0..<m {
            let e = scratch[k] - largest
            if e > -40 { sum += DeterministicMath.exp(e) }
        }
        return logScale + largest + DeterministicMath.log(sum)
    }

    /// A draw near kernel `k`: each continuous coordinate from its truncated Gaussian with the bandwidth
    /// times `factor`; each categorical one kept with probability 1 − min(λ·factor, (K−1)/K), else one of
    /// the other values uniformly.
    func draw(kernel k: Int, factor: Double, rng: inout SplitMix64) -> [Double] {
        var x = [Double](repeating: 0, count: dimensions)
        for j in 0..<dimensions {
            let center = centers[k * dimensions + j]
            switch kinds[j] {
            case .continuous:
                x[j] = NormalDistribution.truncatedUnit(
                    mean: center, sd: bandwidths[j] * factor, u: SplitMix64.unitInterval(rng.next()))
            case .categorical(let count):
                let lambda = min(bandwidths[j] * factor, Double(count - 1) / Double(count))
                if SplitMix64.unitInterval(rng.next()) < lambda {
                    let other = SplitMix64.index(rng.next(), below: count - 1)
                    x[j] = Double(other >= Int(center) ? other + 1 : other)
                } else {
                    x[j] = center
                }
            }
        }
        return x
    }
}
