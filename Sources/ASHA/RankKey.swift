/// The order of a rung's entries: better values first, non-finite values last, ties by trial id
/// (lower id first). Stored as an order-preserving 64-bit score of the value plus the trial id,
/// so comparisons are integer comparisons.
struct RankKey: Hashable, Comparable, Sendable {
    /// The score of every non-finite value (NaN, +∞, −∞): above all finite scores.
    static let nonFiniteScore = UInt64.max
    private static let signBit: UInt64 = 1 << 63

    /// Order-preserving bits of the value's "badness" (the value when minimizing, its negation when
    /// maximizing); smaller is better.
    var score: UInt64
    /// The trial id, breaking ties between equal scores.
    var id: Int

    init(score: UInt64, id: Int) {
        self.score = score
        self.id = id
    }

    /// The key of `value` reported by trial `id` under `goal`.
    init(value: Double, goal: Goal, id: Int) {
        self.score = Self.score(of: value, goal: goal)
        self.id = id
    }

    /// The order-preserving score of `value`: −0 and +0 score alike; all non-finite values score worst.
    @inline(__always)
    static func score(of value: Double, goal: Goal) -> UInt64 {
        guard value.isFinite else { return nonFiniteScore }
        var badness = goal == .minimize ? value : -value
        if badness == 0 { badness = 0 }
        let bits = badness.bitPattern
        return bits & signBit != 0 ? ~bits : bits | signBit
    }

    /// True when the key's value was finite.
    var isFinite: Bool { score != Self.nonFiniteScore }

    /// The value this key was made from under `goal` (NaN for non-finite keys; −0 comes back as +0).
    func value(goal: Goal) -> Double {
        guard isFinite else { return .nan }
        let bits = score & Self.signBit != 0 ? score & ~Self.signBit : ~score
        let badness = Double(bitPattern: bits)
        return goal == .minimize || badness == 0 ? badness : -badness
    }

    @inline(__always)
    static func < (a: RankKey, b: RankKey) -> Bool {
        a.score < b.score || (a.score == b.score && a.id < b.id)
    }
}
