/// The seeded bracket choice of asynchronous Hyperband.
///
/// Trial `i` goes to bracket b with probability proportional to `η^(K_b − 1) / K_b`, where `K_b` is
/// the number of rungs of bracket b: the number of configurations synchronous Hyperband starts in a
/// bracket with `K_b` rungs (`⌈(s_max + 1)/K_b · η^(K_b − 1)⌉`, without the ceiling). The draw is
/// `u = unitInterval(SplitMix64.bits(seed: seed, i, 0))`, and the bracket is the first b whose
/// cumulative normalized weight exceeds u. With one bracket there is no draw.
struct BracketChooser: Sendable {
    /// Cumulative normalized weights; the last is 1.
    let cumulative: [Double]

    init(ladders: [[Int]], reductionFactor: Int) {
        let eta = Double(reductionFactor)
        var weights: [Double] = []
        for ladder in ladders {
            var power = 1.0
            for _ in 1..<ladder.count { power *= eta }
            weights.append(power / Double(ladder.count))
        }
        let total = weights.reduce(0, +)
        var sum = 0.0
        var cumulative: [Double] = []
        for w in weights {
            sum += w
            cumulative.append(sum / total)
        }
        cumulative[cumulative.count - 1] = 1
        self.cumulative = cumulative
    }

    /// The bracket of trial `index` under `seed`.
    func bracket(seed: UInt64, index: Int) -> Int {
        guard cumulative.count > 1 else { return 0 }
        let u = SplitMix64.unitInterval(SplitMix64.bits(seed: seed, UInt64(index), 0))
        for (b, c) in cumulative.enumerated() where u < c { return b }
        return cumulative.count - 1
    }
}
