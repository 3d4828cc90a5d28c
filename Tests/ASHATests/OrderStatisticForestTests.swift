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

    /// Enough keys for three or more branch levels; with scores mostly distinct, and with five scores
    /// only, so that runs of equal scores span separators at every level (the ids break the ties).
    @Test(arguments: [50_000, 5])
    func deepTreeAgreesWithSortedReference(distinct: Int) {
        let keys = Self.keys(count: 200_000, distinct: distinct, seed: 9)
        var forest = OrderStatisticForest(trees: 2)
        var ranks: [Int] = []
        ranks.reserveCapacity(keys.count)
        for key in keys { ranks.append(forest.insert(key, into: 1)) }
        let sorted = keys.sorted(by: <)
        #expect(forest.count(1) == keys.count && forest.count(0) == 0)
        #expect(forest.height(1) >= 3)
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

    /// Inserts interleaved with rank, key-at and finger selects (at random indices and at a moving
    /// cutoff, as the scheduler asks) over several trees, each checked against a plain sorted array after
    /// every operation.
    @Test func fingerSelectAgreesWithSortedArraysUnderInterleavedOperations() async {
        await propertyCheck(count: 25, input: Gen.uint64(), Gen.int(in: 1...3000), Gen.int(in: 1...60)) {
            seed, count, distinct in
            var forest = OrderStatisticForest(trees: 3)
            var reference: [[RankKey]] = [[], [], []]
            var rng = SplitMix64(seed: seed ^ 0x5EED)
            var mismatches = 0
            for key in Self.keys(count: count, distinct: distinct, seed: seed) {
                let t = Int(rng.next() % 3)
                let expected = reference[t].firstIndex { !($0 < key) } ?? reference[t].count
                if forest.insert(key, into: t) != expected { mismatches += 1 }
                reference[t].insert(key, at: expected)
                let n = reference[t].count
                // The cutoff index ⌊n/3⌋ − 1, its neighbours, and one random index, in every tree.
                for probe in [n / 3 - 1, n / 3, n / 3 - 2, Int(rng.next() % UInt64(n))] where probe >= 0 && probe < n {
                    if forest.select(probe, in: t) != reference[t][probe] { mismatches += 1 }
                    if forest.key(at: probe, in: t) != reference[t][probe] { mismatches += 1 }
                }
                let other = (t + 1) % 3
                if !reference[other].isEmpty {
                    let i = Int(rng.next() % UInt64(reference[other].count))
                    if forest.select(i, in: other) != reference[other][i] { mismatches += 1 }
                }
                let probe = RankKey(score: rng.next() % UInt64(distinct + 1), id: Int(rng.next() % 4000) - 300)
                if forest.rank(of: probe, in: t) != reference[t].filter({ $0 < probe }).count { mismatches += 1 }
            }
            #expect(mismatches == 0)
            for t in 0..<3 {
                #expect(forest.count(t) == reference[t].count)
                #expect(forest.sortedKeys(t) == reference[t])
            }
        }
    }

    /// Trial ids up to 2^32 − 1 are stored exactly (ids are 32-bit in the nodes) and order ties.
    @Test func largestTrialIDsKeepTheirOrder() {
        var forest = OrderStatisticForest(trees: 1)
        let ids = [Int(UInt32.max), 0, Int(UInt32.max) - 1, 1 << 31, (1 << 31) - 1]
        for id in ids { forest.insert(RankKey(score: 7, id: id), into: 0) }
        #expect(forest.sortedKeys(0).map(\.id) == ids.sorted())
        #expect(forest.rank(of: RankKey(score: 7, id: Int(UInt32.max)), in: 0) == 4)
        #expect(forest.rank(of: RankKey(score: 7, id: Int(UInt32.max) + 1), in: 0) == 5)
        #expect(forest.rank(of: RankKey(score: 7, id: -1), in: 0) == 0)
    }

    /// A rung of 10^5 entries inserted in random order takes at most 20 bytes per entry (keys are
    /// 12 bytes; leaves fill to about 70 % under random inserts).
    @Test func entriesAreCompact() {
        var forest = OrderStatisticForest(trees: 1)
        for key in Self.keys(count: 100_000, distinct: 1 << 40, seed: 3) { forest.insert(key, into: 0) }
        #expect(forest.bytes <= 20 * 100_000, "\(forest.bytes) bytes")
    }

    /// A copy is a value: inserts into it (past the size that switches the pool to huge-page memory)
    /// leave the original as it was, and the other way round.
    @Test func copiesDoNotShareWrites() {
        let keys = Self.keys(count: 300_000, distinct: 1 << 40, seed: 11)
        var original = OrderStatisticForest(trees: 2)
        for key in keys.prefix(1_000) { original.insert(key, into: 1) }
        var copy = original
        for key in keys.dropFirst(1_000) { copy.insert(key, into: 1) }
        original.insert(RankKey(score: 0, id: 1_000_000), into: 1)
        #expect(copy.bytes >= NodePool.hugeThreshold)
        #expect(original.sortedKeys(1) == (keys.prefix(1_000) + [RankKey(score: 0, id: 1_000_000)]).sorted(by: <))
        #expect(copy.count(1) == keys.count)
        #expect(copy.sortedKeys(1) == keys.sorted(by: <))
        #expect(copy.rank(of: RankKey(score: 0, id: 1_000_000), in: 1) == keys.filter { $0.score == 0 }.count)
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
