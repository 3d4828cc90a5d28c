import ASHA
import Testing

@testable import Dashboard

/// The radix sort the trials list uses for long arrays orders rows exactly as the comparison sort does.
@Suite("Trials list sort")
struct TrialListSortTests {
    /// Entries with many ties (few `k1` values, repeated `k2`), signed zeros, infinities and negative
    /// keys and ids, in an order that is not the id order.
    static func entries(_ n: Int, seed: UInt64) -> [TrialList.Entry] {
        var rng = SplitMix64(seed: seed)
        let k2s: [Double] = [0, -0.0, .infinity, -.infinity, 1e-300, -1e-300, 3.5, -3.5, 1e300]
        return (0..<n).map { i in
            let r = rng.next()
            let k1 = Double(Int(r % 5) - 2)
            let k2 = r % 3 == 0 ? k2s[Int(r >> 8) % k2s.count] : Double(Int64(bitPattern: rng.next()) >> 20) / 1e3
            let id = r % 7 == 0 ? -Int(r >> 40) : Int(r >> 44)
            return TrialList.Entry(k1: k1, k2: k2, id: id, pos: i)
        }
    }

    @Test func radixOrderIsTheComparisonOrder() {
        for (n, seed) in [(5000, 1), (20000, 2), (TrialList.radixThreshold + 1, 3)] as [(Int, UInt64)] {
            let input = Self.entries(n, seed: seed)
            var radix = input
            TrialList.radixSort(&radix)
            let sorted = input.sorted()
            // Equal rows (same keys and id) may come in either order; their keys and ids may not.
            #expect(radix.map(\.id) == sorted.map(\.id), "n \(n)")
            #expect(zip(radix, sorted).allSatisfy { !($0 < $1) && !($1 < $0) }, "n \(n)")
        }
    }

    @Test func entriesAlreadyInIdOrderSkipTheIdPasses() {
        // Ids ascending (the list's fresh rows come in trial order): still the comparison order.
        var input = Self.entries(10000, seed: 4)
        for i in input.indices { input[i].id = i }
        var radix = input
        TrialList.radixSort(&radix)
        #expect(radix.map(\.pos) == input.sorted().map(\.pos))
    }
}

extension TrialListSortTests {
    @Test func mergingRunsInPlaceKeepsTheFirstRunFirstAmongEqualRows() {
        for split in [0, 1, 3, 50, 97, 99, 100] {
            var rng = SplitMix64(seed: UInt64(split))
            // Few distinct keys, so many rows are equal; `pos` tells the runs apart.
            var rows = (0..<100).map { i in
                TrialList.Entry(k1: Double(rng.next() % 3), k2: 0, id: Int(rng.next() % 4), pos: i)
            }
            rows[..<split].sort()
            rows[split...].sort()
            let expected = (rows[..<split] + rows[split...]).enumerated().sorted { a, b in
                a.element < b.element || (!(b.element < a.element) && a.offset < b.offset)
            }.map(\.element.pos)
            rows.withUnsafeMutableBufferPointer { TrialList.mergeRuns($0, split: split) }
            #expect(rows.map(\.pos) == expected, "split \(split)")
        }
    }

    /// `merge(into:)` appends and merges through `mergeRuns`: the same order, `a`'s rows first among equals.
    @Test func mergingIntoAListKeepsItsRowsFirstAmongEqualRows() {
        for (na, nb) in [(0, 5), (5, 0), (1, 40), (40, 1), (30, 30)] {
            var rng = SplitMix64(seed: UInt64(na * 100 + nb))
            let make = { (n: Int, from: Int) in
                (0..<n).map { i in
                    TrialList.Entry(k1: Double(rng.next() % 3), k2: 0, id: Int(rng.next() % 4), pos: from + i)
                }
                .sorted()
            }
            var a = make(na, 0)
            let b = make(nb, na)
            let expected = (a + b).enumerated().sorted { x, y in
                x.element < y.element || (!(y.element < x.element) && x.offset < y.offset)
            }.map(\.element.pos)
            TrialList.merge(into: &a, b)
            #expect(a.map(\.pos) == expected, "\(na) + \(nb)")
        }
    }
}
