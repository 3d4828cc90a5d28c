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

/// The lazily sorted rows: whatever was read, removed or inserted, every row read is the row a full
/// sort puts there, and the segments keep their order.
extension TrialListSortTests {
    /// Distinct rows (ids unique, as the list's are), with many equal keys.
    static func distinct(_ n: Int, seed: UInt64, from: Int = 0) -> [TrialList.Entry] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { i in
            let r = rng.next()
            return TrialList.Entry(k1: Double(r % 4), k2: Double((r >> 8) % 50) / 7, id: from + i, pos: from + i)
        }
        .shuffled(using: &rng)
    }

    /// The segments' invariants: each sorted one in order, every row before a segment's start below
    /// every row from it on, neighbours of different kinds.
    static func check(_ rows: TrialList.Rows, _ note: String) {
        let r = rows.rows
        for (k, seg) in rows.segments.enumerated() {
            let end = rows.end(of: k)
            #expect(seg.start < end, "\(note): empty segment \(k)")
            if seg.sorted {
                #expect(zip(r[seg.start..<end], r[(seg.start + 1)..<end]).allSatisfy { $0 < $1 }, "\(note)")
            }
            if k > 0 {
                #expect(rows.segments[k - 1].sorted != seg.sorted, "\(note): neighbours of one kind at \(k)")
                let before = r[..<seg.start].max()!
                let after = r[seg.start...].min()!
                #expect(before < after, "\(note): segment \(k) out of order")
            }
        }
    }

    @Test func readingRowsPlacesThemWhereAFullSortDoes() {
        for (n, leaf) in [(0, 4), (1, 4), (37, 4), (2000, 8), (5000, 64)] {
            let input = Self.distinct(n, seed: UInt64(n))
            let sorted = input.sorted()
            var rows = TrialList.Rows(unsorted: input, leafSize: leaf)
            var rng = SplitMix64(seed: 9)
            for step in 0..<20 where n > 0 {
                let a = Int(rng.next() % UInt64(n))
                let b = min(n, a + Int(rng.next() % 40))
                // Not yet placed rows read without sorting are right too.
                #expect(rows.element(at: a).id == sorted[a].id, "n \(n) step \(step)")
                rows.sort(a..<b)
                for i in a..<b {
                    #expect(rows.isPlaced(i))
                    #expect(rows.rows[i].id == sorted[i].id, "n \(n) row \(i)")
                }
                let p = Int(rng.next() % UInt64(n))
                let id = rows.rows[p].id
                let rank = rows.rank(ofIndex: p)
                #expect(sorted[rank].id == id)
                #expect(rows.place(index: p) == rank)
                #expect(rows.rows[rank].id == id)
                Self.check(rows, "n \(n) step \(step)")
            }
            #expect(rows.inOrder.map(\.id) == sorted.map(\.id), "n \(n)")
            rows.sort(0..<n)
            #expect(rows.isSorted)
            #expect(rows.segments.count == (n == 0 ? 0 : 1))
        }
    }

    @Test func removingAndInsertingKeepsTheOrder() {
        for round in 0..<30 {
            var rng = SplitMix64(seed: UInt64(round) + 100)
            let n = 300 + Int(rng.next() % 500)
            let input = Self.distinct(n, seed: UInt64(round))
            var rows = TrialList.Rows(unsorted: input, leafSize: 8)
            // Some rows read (segments of both kinds), some removed, some new ones added.
            for _ in 0..<Int(rng.next() % 6) { rows.sort(at: Int(rng.next() % UInt64(n))) }
            let gone = Set(input.filter { _ in rng.next() % 3 == 0 }.map(\.id))
            rows.removeAll { gone.contains($0.id) }
            Self.check(rows, "round \(round) removed")
            var added = Self.distinct(Int(rng.next() % 200), seed: UInt64(round) + 7, from: 10_000)
            let expected = (input.filter { !gone.contains($0.id) } + added).sorted().map(\.id)
            if round % 3 == 2 {
                rows.insert(unsorted: added)
            } else {
                added.sort()
                rows.insert(sorted: added)
            }
            Self.check(rows, "round \(round) inserted")
            #expect(rows.count == expected.count)
            #expect(rows.inOrder.map(\.id) == expected, "round \(round)")
            let odd = rows.filter { $0.id % 2 == 1 }
            Self.check(odd, "round \(round) filtered")
            #expect(odd.inOrder.map(\.id) == expected.filter { $0 % 2 == 1 })
            rows.sort(0..<rows.count)
            #expect(rows.rows.map(\.id) == expected)
        }
    }
}
