extension TrialList {
    /// Arrays longer than this are sorted by radix (`radixSort`), shorter ones by comparison.
    static let radixThreshold = 4096

    /// Sorts `entries` into the order of `Entry.<` (`k1`, then `k2`, then the trial id).
    ///
    /// A seek across a long replay changes most trials' rows, so the list sorts hundreds of thousands of
    /// entries in one frame: by comparison that took most of the slowest seeks (a 10,000,000-event log:
    /// 650,000 trials). A long array is sorted by least-significant-digit radix on the keys mapped to
    /// unsigned integers in the same order, one stable pass per byte that is not the same in every entry.
    static func sortEntries(_ entries: inout [Entry]) {
        entries.withUnsafeMutableBufferPointer { sortEntries($0) }
    }

    /// Sorts the rows in `entries` in place (see `sortEntries(_:)`).
    static func sortEntries(_ entries: UnsafeMutableBufferPointer<Entry>) {
        if entries.count <= radixThreshold {
            var rows = entries  // the same memory: sorting it sorts `entries`
            rows.sort()
        } else {
            radixSort(entries)
        }
    }

    /// `radixSort` on an array.
    static func radixSort(_ entries: inout [Entry]) {
        entries.withUnsafeMutableBufferPointer { radixSort($0) }
    }

    /// `d` as an unsigned integer in the order of `Double.<` (-0 as 0; the keys are never NaN).
    @inline(__always)
    static func orderedBits(_ d: Double) -> UInt64 {
        let bits = (d == 0 ? 0.0 : d).bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    /// The least-significant-digit radix sort behind `sortEntries`: byte `b` of key `w` (0: the id, 1:
    /// `k2`, 2: `k1`), least significant first. Bytes equal in every entry are skipped.
    static func radixSort(_ entries: UnsafeMutableBufferPointer<Entry>) {
        let n = entries.count
        @inline(__always) func key(_ e: Entry, _ w: Int) -> UInt64 {
            switch w {
            case 0: return UInt64(bitPattern: Int64(e.id)) ^ (1 << 63)
            case 1: return orderedBits(e.k2)
            default: return orderedBits(e.k1)
            }
        }
        // Every byte's counts in one pass: 24 digits of 256.
        var counts = [Int](repeating: 0, count: 24 * 256)
        var idSorted = true
        counts.withUnsafeMutableBufferPointer { c in
            for i in 0..<n {
                let e = entries[i]
                if i > 0, entries[i - 1].id > e.id { idSorted = false }
                for w in 0..<3 {
                    let k = key(e, w)
                    for b in 0..<8 { c[(w * 8 + b) << 8 | Int((k >> UInt64(8 * b)) & 0xFF)] += 1 }
                }
            }
        }
        // Entries are plain values (no references): the scratch needs no initialization.
        let scratch = UnsafeMutableBufferPointer<Entry>.allocate(capacity: n)
        defer { scratch.deallocate() }
        var inScratch = false
        for digit in 0..<24 {
            let w = digit / 8
            // Entries in id order need no pass over the id: the later passes are stable.
            if w == 0, idSorted { continue }
            let base = digit << 8
            if counts[base..<(base + 256)].contains(n) { continue }
            var offsets = [Int](repeating: 0, count: 256)
            var sum = 0
            for v in 0..<256 {
                offsets[v] = sum
                sum += counts[base + v]
            }
            let shift = UInt64(8 * (digit % 8))
            func pass(_ from: UnsafeBufferPointer<Entry>, _ to: UnsafeMutableBufferPointer<Entry>) {
                offsets.withUnsafeMutableBufferPointer { o in
                    for e in from {
                        let v = Int((key(e, w) >> shift) & 0xFF)
                        to[o[v]] = e
                        o[v] += 1
                    }
                }
            }
            if inScratch {
                pass(UnsafeBufferPointer(scratch), entries)
            } else {
                pass(UnsafeBufferPointer(entries), scratch)
            }
            inScratch.toggle()
        }
        if inScratch { _ = entries.update(fromContentsOf: scratch) }
    }
}
