extension TrialList {
    /// Rows in list order, sorted only where they are read.
    ///
    /// The rows are cut into segments: every row of a segment sorts before every row of the next one,
    /// and a segment is either sorted or not yet. Reading a row sorts what it needs first (`sort(at:)`):
    /// an unsorted segment is partitioned around a pivot, as quicksort would, but only the side holding
    /// the row is followed, until it is short enough to sort whole. Showing a page of a list that a far
    /// seek changed almost entirely costs about two passes over it instead of a full sort, and later
    /// pages (scrolling, `G`) sort what they read. Segments alternate: two sorted neighbours are one
    /// sorted segment, two unsorted ones one unsorted segment, so every unsorted segment is bounded by
    /// the rows of its sorted neighbours (what `insert(sorted:)` places new rows by).
    struct Rows: Sendable {
        struct Segment: Sendable, Equatable {
            var start: Int
            var sorted: Bool
        }

        /// Segments of at most this many rows are sorted whole when a row in them is read.
        var leafSize = 1024

        private(set) var rows: [Entry] = []
        private(set) var segments: [Segment] = []
        /// Picks pivots (seeded: the same reads give the same partitions).
        private var seed: UInt64 = 0x9E37_79B9_7F4A_7C15

        init(leafSize: Int = 1024) { self.leafSize = max(1, leafSize) }

        /// `rows` in no particular order.
        init(unsorted rows: [Entry], leafSize: Int = 1024) {
            self.init(leafSize: leafSize)
            self.rows = rows
            segments = rows.isEmpty ? [] : [Segment(start: 0, sorted: false)]
        }

        /// `rows` already in list order.
        init(sorted rows: [Entry], leafSize: Int = 1024) {
            self.init(leafSize: leafSize)
            self.rows = rows
            segments = rows.isEmpty ? [] : [Segment(start: 0, sorted: true)]
        }

        var count: Int { rows.count }

        /// True when every row is in its place.
        var isSorted: Bool { segments.allSatisfy(\.sorted) }

        /// The segment holding row `i` (0 ..< count).
        func segment(containing i: Int) -> Int {
            var lo = 0
            var hi = segments.count
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if segments[mid].start <= i { lo = mid } else { hi = mid }
            }
            return lo
        }

        /// Where segment `k` ends.
        func end(of k: Int) -> Int { k + 1 < segments.count ? segments[k + 1].start : rows.count }

        /// True when row `i` is in its place (its segment is sorted).
        func isPlaced(_ i: Int) -> Bool { segments[segment(containing: i)].sorted }

        /// Row `i` of the list in order, without sorting anything: a row not yet in its place is
        /// selected from a copy of its segment (correct, but costs a pass over that segment).
        func element(at i: Int) -> Entry {
            let k = segment(containing: i)
            if segments[k].sorted { return rows[i] }
            let s = segments[k].start
            var copy = Rows(unsorted: Array(rows[s..<end(of: k)]), leafSize: leafSize)
            copy.sort(at: i - s)
            return copy.rows[i - s]
        }

        /// The row of the entry stored at index `p`, without sorting anything.
        func rank(ofIndex p: Int) -> Int {
            let k = segment(containing: p)
            if segments[k].sorted { return p }
            let s = segments[k].start
            let e = rows[p]
            return s + rows[s..<end(of: k)].reduce(0) { $0 + ($1 < e ? 1 : 0) }
        }

        /// Every row in order (sorts a copy of the unsorted segments).
        var inOrder: [Entry] {
            guard !isSorted else { return rows }
            var copy = rows
            copy.withUnsafeMutableBufferPointer { r in
                for k in segments.indices where !segments[k].sorted {
                    TrialList.sortEntries(UnsafeMutableBufferPointer(rebasing: r[segments[k].start..<end(of: k)]))
                }
            }
            return copy
        }

        /// Puts every row of `range` in its place.
        mutating func sort(_ range: Range<Int>) {
            var i = max(0, range.lowerBound)
            while i < min(range.upperBound, count) {
                // Two statements: in `end(of: sort(at: i))` the receiver is read before the argument sorts.
                let k = sort(at: i)
                i = end(of: k)
            }
        }

        /// Puts row `i` in its place; returns the (sorted) segment holding it.
        @discardableResult
        mutating func sort(at i: Int) -> Int {
            var k = segment(containing: i)
            var depth = 0
            while !segments[k].sorted {
                let s = segments[k].start
                let e = end(of: k)
                if e - s <= leafSize || depth >= 64 || isRangeSorted(s, e) {
                    rows.withUnsafeMutableBufferPointer {
                        TrialList.sortEntries(UnsafeMutableBufferPointer(rebasing: $0[s..<e]))
                    }
                    segments[k].sorted = true
                } else {
                    let j = partition(s, e, pivot: pivotIndex(s, e))
                    split(k, s, e, pivotAt: j)
                }
                coalesce(around: k)
                k = segment(containing: i)
                depth += 1
            }
            return k
        }

        /// Puts the entry stored at index `p` in its place and returns its row (a partition of its segment
        /// around it, when that segment is not sorted).
        mutating func place(index p: Int) -> Int {
            let k = segment(containing: p)
            guard !segments[k].sorted else { return p }
            let s = segments[k].start
            let e = end(of: k)
            let j = partition(s, e, pivot: p)
            split(k, s, e, pivotAt: j)
            coalesce(around: k)
            return j
        }

        /// Removes the rows `remove` picks; the rows left keep their segments (a segment left empty goes).
        mutating func removeAll(where remove: (Entry) -> Bool) {
            var kept: [Segment] = []
            var w = 0
            let count = rows.count
            rows.withUnsafeMutableBufferPointer { r in
                for k in segments.indices {
                    let start = w
                    for i in segments[k].start..<(k + 1 < segments.count ? segments[k + 1].start : count)
                    where !remove(r[i]) {
                        r[w] = r[i]
                        w += 1
                    }
                    if w > start { Self.appendSegment(&kept, Segment(start: start, sorted: segments[k].sorted)) }
                }
            }
            rows.removeLast(rows.count - w)
            segments = kept
        }

        /// The rows `keep` picks (`count` of them, when known), with their segments.
        func filter(reserving count: Int? = nil, _ keep: (Entry) -> Bool) -> Rows {
            var out = Rows(leafSize: leafSize)
            out.rows.reserveCapacity(count ?? 0)
            for k in segments.indices {
                let start = out.rows.count
                for e in rows[segments[k].start..<end(of: k)] where keep(e) { out.rows.append(e) }
                if out.rows.count > start {
                    Self.appendSegment(&out.segments, Segment(start: start, sorted: segments[k].sorted))
                }
            }
            return out
        }

        /// Adds `b` (in list order, none of them in the list yet) where they belong: merged into the sorted
        /// segments, added to the unsorted ones (one pass from the back, in place: the list grows once, to
        /// exactly its new size; equal rows of the list come first).
        mutating func insert(sorted b: [Entry]) {
            guard !b.isEmpty else { return }
            guard !rows.isEmpty else {
                self = Rows(sorted: b, leafSize: leafSize)
                return
            }
            let n = rows.count
            rows.reserveCapacity(n + b.count)  // exactly: appending would double a long list's buffer
            rows.append(contentsOf: b)  // room (overwritten below)
            let old = segments.map(\.start)
            var starts = old
            let sorted = segments.map(\.sorted)
            rows.withUnsafeMutableBufferPointer { r in
                b.withUnsafeBufferPointer { b in
                    var w = r.count
                    var j = b.count - 1
                    for k in sorted.indices.reversed() {
                        let s = old[k]
                        var i = k + 1 < old.count ? old[k + 1] - 1 : n - 1
                        if sorted[k] {
                            // Rows of `b` from this segment's first row on belong here (all that are left, in the
                            // first segment).
                            let first = r[s]
                            while j >= 0, k == 0 || !(b[j] < first) {
                                while i >= s, b[j] < r[i] {
                                    w -= 1
                                    r[w] = r[i]
                                    i -= 1
                                }
                                w -= 1
                                r[w] = b[j]
                                j -= 1
                            }
                        } else {
                            // Rows of `b` after the sorted segment before this one belong here, in any order.
                            let bound: Entry? = k == 0 ? nil : r[s - 1]
                            while j >= 0, bound.map({ $0 < b[j] }) ?? true {
                                w -= 1
                                r[w] = b[j]
                                j -= 1
                            }
                        }
                        while i >= s {
                            w -= 1
                            r[w] = r[i]
                            i -= 1
                        }
                        starts[k] = w
                    }
                    assert(j < 0 && w == 0)
                }
            }
            for k in segments.indices { segments[k].start = starts[k] }
        }

        /// Adds the rows `append` appends to the list's array, in any order: the list becomes one unsorted
        /// segment (what a far seek changed is most of it; the next read partitions it).
        mutating func insert(appending append: (inout [Entry]) -> Void) {
            append(&rows)
            segments = rows.isEmpty ? [] : [Segment(start: 0, sorted: false)]
        }

        /// Adds `b` in any order: the list becomes one unsorted segment (what a far seek changed is most of
        /// it; the next read partitions it).
        mutating func insert(unsorted b: some Collection<Entry>) {
            rows.append(contentsOf: b)
            segments = rows.isEmpty ? [] : [Segment(start: 0, sorted: false)]
        }

        // MARK: - Partitions

        private func isRangeSorted(_ s: Int, _ e: Int) -> Bool {
            rows.withUnsafeBufferPointer { r in
                var i = s + 1
                while i < e {
                    if r[i] < r[i - 1] { return false }
                    i += 1
                }
                return true
            }
        }

        /// The median of three seeded random rows of `s ..< e`.
        private mutating func pivotIndex(_ s: Int, _ e: Int) -> Int {
            func next() -> Int {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return s + Int((seed >> 33) % UInt64(e - s))
            }
            let a = next()
            let b = next()
            let c = next()
            let (x, y, z) = (rows[a], rows[b], rows[c])
            if x < y {
                if y < z { return b }
                return x < z ? c : a
            }
            if x < z { return a }
            return y < z ? c : b
        }

        /// Partitions `s ..< e` around the row at `pivot`: returns where it ends, with no row after it
        /// before it and none before it after it.
        private mutating func partition(_ s: Int, _ e: Int, pivot: Int) -> Int {
            rows.withUnsafeMutableBufferPointer { r in
                r.swapAt(s, pivot)
                let p = r[s]
                var i = s + 1
                var j = e - 1
                while true {
                    while i <= j, r[i] < p { i += 1 }
                    while i <= j, p < r[j] { j -= 1 }
                    if i >= j { break }
                    r.swapAt(i, j)
                    i += 1
                    j -= 1
                }
                r.swapAt(s, j)
                return j
            }
        }

        /// Replaces unsorted segment `k` (`s ..< e`), partitioned around row `j`, by its parts.
        private mutating func split(_ k: Int, _ s: Int, _ e: Int, pivotAt j: Int) {
            var parts: [Segment] = []
            if j > s { parts.append(Segment(start: s, sorted: false)) }
            parts.append(Segment(start: j, sorted: true))
            if j + 1 < e { parts.append(Segment(start: j + 1, sorted: false)) }
            segments.replaceSubrange(k...k, with: parts)
        }

        /// Joins neighbours of the same kind from segment `k - 1` to `k + 3`.
        private mutating func coalesce(around k: Int) {
            var i = max(1, k)
            while i < min(segments.count, k + 4) {
                if segments[i].sorted == segments[i - 1].sorted {
                    segments.remove(at: i)
                } else {
                    i += 1
                }
            }
        }

        private static func appendSegment(_ segments: inout [Segment], _ s: Segment) {
            if segments.last?.sorted != s.sorted { segments.append(s) }
        }
    }
}
