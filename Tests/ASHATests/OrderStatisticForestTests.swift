import PropertyBased
import Testing

@testable import ASHA

@Suite("Order-statistic forest")
struct OrderStatisticForestTests {
    /// Random keys with few distinct scores (many ties, broken by id) and shuffled unique ids.
    static func keys(count: Int, distinct: Int, seed: UInt64) -> [RankKey] {
        var rng = SplitMix64(seed: seed)
        var ids = Array(0..<count)
        ids.shuffle(using: &rng)
        return ids.map { RankKey(score: rng.next() % UInt64(distinct), id: $0) }
    }

    /// Three trees filled in an interleaved order must each agree with their own sorted array.
    @Test func agreesWithSortedArraysOnRandomStreams() async {
        await propertyCheck(count: 40, input: Gen.uint64(), Gen.int(in: 1...1500), Gen.int(in: 1...40)) {
            seed, count, distinct in
            var forest = OrderStatisticForest(trees: 3)
            var reference: [[RankKey]] = [[], [], []]
            var rng = SplitMix64(seed: ~seed)
            for key in Self.keys(count: count, distinct: distinct, seed: seed) {
                let t = Int(rng.next() % 3)
                let expected = reference[t].firstIndex { !($0 < key) } ?? reference[t].count
                #expect(forest.insert(key, into: t) == expected)
                reference[t].insert(key, at: expected)
            }
            for t in 0..<3 {
                #expect(forest.count(t) == reference[t].count)
                #expect(forest.sortedKeys(t) == reference[t])
                for _ in 0..<30 {
                    let probe = RankKey(score: rng.next() % UInt64(distinct + 1), id: Int(rng.next() % 2000) - 200)
                    #expect(forest.rank(of: probe, in: t) == reference[t].filter { $0 < probe }.count)
                }
            }
        }
    }

    /// Enough keys for three or more branch levels with 32-way nodes.
    @Test func deepTreeAgreesWithSortedReference() {
        let keys = Self.keys(count: 200_000, distinct: 50_000, seed: 9)
        var forest = OrderStatisticForest(trees: 2)
        var ranks: [Int] = []
        ranks.reserveCapacity(keys.count)
        for key in keys { ranks.append(forest.insert(key, into: 1)) }
        let sorted = keys.sorted(by: <)
        #expect(forest.count(1) == keys.count && forest.count(0) == 0)
        var mismatches = 0
        for i in stride(from: 0, to: sorted.count, by: 7) where forest.key(at: i, in: 1) != sorted[i] {
            mismatches += 1
        }
        for (i, key) in keys.enumerated().prefix(20_000) {
            if sorted[forest.rank(of: key, in: 1)] != key { mismatches += 1 }
            // A key's rank at insertion counts the smaller keys inserted before it.
            if i < 2_000 && ranks[i] != keys[..<i].filter({ $0 < key }).count { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func keyScoresFollowTheGoal() {
        let values: [Double] = [-.infinity, -3, -0.0, 0, 1e-300, 2.5, 1e300, .infinity, .nan]
        for goal in Goal.allCases {
            let keys = values.enumerated().map { RankKey(value: $0.element, goal: goal, id: $0.offset) }
            for a in keys {
                for b in keys where a.id != b.id {
                    let va = values[a.id]
                    let vb = values[b.id]
                    let expected = goal.isBetter(va, than: vb) || (!goal.isBetter(vb, than: va) && a.id < b.id)
                    #expect((a < b) == expected, "\(goal) \(va) vs \(vb)")
                }
                if a.isFinite { #expect(a.value(goal: goal) == values[a.id]) }
            }
        }
    }

    @Test func heapPopsInOrder() {
        var heap = CandidateHeap()
        let keys = Self.keys(count: 500, distinct: 30, seed: 4)
        for key in keys { heap.push(key) }
        var popped: [RankKey] = []
        while let top = heap.top {
            popped.append(top)
            heap.popTop()
        }
        #expect(popped == keys.sorted(by: <))
    }
}
