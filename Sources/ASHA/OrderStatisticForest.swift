/// Insert-only order-statistic B+-trees of `RankKey`s, one per rung, sharing one node pool: insert,
/// rank and select in O(log n).
///
/// A rung's entries are facts and are never removed, so the trees need no deletion. Nodes live in two
/// flat `[UInt64]` pools (no class per node, `Int` indices), shared by all trees, so the scheduler
/// mutates one stored property in place and never copies a tree. Each node is one contiguous block:
///
/// - leaf: `[size, score × (L+1), id × (L+1)]`, keys sorted, L = `leafCapacity`;
/// - branch: `[size, score × (B+1), child × (B+1), count × (B+1), id × (B+1)]`, B = `branchCapacity`,
///   where `count` is the number of keys below the child and the separator (score, id) of child j ≥ 1 is
///   the smallest key below it (children next to the scores, so the load of the next node follows the
///   scan closely; ids last: they are read only to break ties).
///
/// The spare slot lets a node overflow by one before it splits. A search reads one block per level,
/// front to back, which is what hardware prefetchers like; with 32-way nodes a tree of 10^6 keys has
/// four or five levels, the upper ones hot in cache.
struct OrderStatisticForest: Sendable {
    /// Keys per leaf before it splits.
    static let leafCapacity = 32
    /// Children per branch before it splits.
    static let branchCapacity = 32

    private static let leafSlots = leafCapacity + 1
    private static let leafIDs = 1 + leafSlots
    private static let leafStride = 1 + 2 * leafSlots
    private static let branchSlots = branchCapacity + 1
    private static let branchChildren = 1 + branchSlots
    private static let branchCounts = 1 + 2 * branchSlots
    private static let branchIDs = 1 + 3 * branchSlots
    private static let branchStride = 1 + 4 * branchSlots

    private var leaves: [UInt64] = []
    private var branches: [UInt64] = []
    /// Per tree: its root node, its number of branch levels (0: the root is a leaf), its number of keys.
    private var roots: [Int] = []
    private var heights: [Int] = []
    private var counts: [Int] = []

    /// `trees` empty trees, numbered `0..<trees`.
    init(trees: Int) {
        for _ in 0..<trees {
            roots.append(newLeaf())
            heights.append(0)
            counts.append(0)
        }
    }

    /// The number of trees.
    var treeCount: Int { roots.count }

    /// The number of keys in tree `t`.
    @inline(__always)
    func count(_ t: Int) -> Int { counts[t] }

    /// Inserts `key` (which must not be in the tree yet) into tree `t` and returns its rank there: the
    /// number of keys smaller than it.
    @discardableResult
    mutating func insert(_ key: RankKey, into t: Int) -> Int {
        var rank = 0
        let root = roots[t]
        if let split = insert(key, node: root, level: heights[t], rank: &rank) {
            let b = newBranch()
            branches.withUnsafeMutableBufferPointer { p in
                let base = b * Self.branchStride
                p[base] = 2
                p[base + Self.branchChildren] = UInt64(root)
                p[base + Self.branchCounts] = UInt64(split.leftCount)
                p[base + 1 + 1] = split.key.score
                p[base + Self.branchIDs + 1] = UInt64(bitPattern: Int64(split.key.id))
                p[base + Self.branchChildren + 1] = UInt64(split.right)
                p[base + Self.branchCounts + 1] = UInt64(split.rightCount)
            }
            roots[t] = b
            heights[t] += 1
        }
        counts[t] += 1
        return rank
    }

    /// The number of keys of tree `t` smaller than `key` (whether or not `key` is in it).
    func rank(of key: RankKey, in t: Int) -> Int {
        var node = roots[t]
        var rank = 0
        let height = heights[t]
        branches.withUnsafeBufferPointer { p in
            for _ in 0..<height {
                let base = node * Self.branchStride
                let c = Self.lowerBound(p, base + 1, base + Self.branchIDs, 1, Int(p[base]), key)
                rank += Self.sum(p, base + Self.branchCounts, c)
                node = Int(p[base + Self.branchChildren + c])
            }
        }
        let base = node * Self.leafStride
        return rank
            + leaves.withUnsafeBufferPointer { p in
                Self.lowerBound(p, base + 1, base + Self.leafIDs, 0, Int(p[base]), key)
            }
    }

    /// The key of rank `index` in tree `t` (0-based: the smallest key is at 0); `index` must be below
    /// `count(t)`.
    func key(at index: Int, in t: Int) -> RankKey {
        precondition(index >= 0 && index < counts[t], "index \(index) out of 0..<\(counts[t])")
        var node = roots[t]
        var k = UInt64(index)
        let height = heights[t]
        branches.withUnsafeBufferPointer { p in
            for _ in 0..<height {
                let base = node * Self.branchStride
                var j = base + Self.branchCounts
                while k >= p[j] {
                    k -= p[j]
                    j += 1
                }
                node = Int(p[j - Self.branchCounts + Self.branchChildren])
            }
        }
        let slot = node * Self.leafStride + Int(k)
        return leaves.withUnsafeBufferPointer { p in
            RankKey(score: p[slot + 1], id: Int(Int64(bitPattern: p[slot + Self.leafIDs])))
        }
    }

    /// All keys of tree `t` in order (for tests and small rungs).
    func sortedKeys(_ t: Int) -> [RankKey] {
        (0..<counts[t]).map { key(at: $0, in: t) }
    }

    // MARK: - Insertion

    private struct Split {
        var key: RankKey
        var right: Int
        var leftCount: Int
        var rightCount: Int
    }

    private mutating func insert(_ key: RankKey, node: Int, level: Int, rank: inout Int) -> Split? {
        if level == 0 { return insertIntoLeaf(key, leaf: node, rank: &rank) }
        let base = node * Self.branchStride
        let (c, child, before) = branches.withUnsafeMutableBufferPointer { p in
            let c = Self.lowerBound(UnsafeBufferPointer(p), base + 1, base + Self.branchIDs, 1, Int(p[base]), key)
            p[base + Self.branchCounts + c] &+= 1
            return (
                c, Int(p[base + Self.branchChildren + c]), Self.sum(UnsafeBufferPointer(p), base + Self.branchCounts, c)
            )
        }
        rank += before
        guard let split = insert(key, node: child, level: level - 1, rank: &rank) else { return nil }
        let full = branches.withUnsafeMutableBufferPointer { p in
            let n = Int(p[base])
            p[base + Self.branchCounts + c] = UInt64(split.leftCount)
            for offset in [1, Self.branchIDs, Self.branchChildren, Self.branchCounts] {
                Self.openSlot(p, at: base + offset + c + 1, end: base + offset + n)
            }
            p[base + 1 + c + 1] = split.key.score
            p[base + Self.branchIDs + c + 1] = UInt64(bitPattern: Int64(split.key.id))
            p[base + Self.branchChildren + c + 1] = UInt64(split.right)
            p[base + Self.branchCounts + c + 1] = UInt64(split.rightCount)
            p[base] = UInt64(n + 1)
            return n + 1 > Self.branchCapacity
        }
        return full ? splitBranch(node) : nil
    }

    private mutating func insertIntoLeaf(_ key: RankKey, leaf: Int, rank: inout Int) -> Split? {
        let base = leaf * Self.leafStride
        let (position, full) = leaves.withUnsafeMutableBufferPointer { p in
            let n = Int(p[base])
            let position = Self.lowerBound(UnsafeBufferPointer(p), base + 1, base + Self.leafIDs, 0, n, key)
            Self.openSlot(p, at: base + 1 + position, end: base + 1 + n)
            Self.openSlot(p, at: base + Self.leafIDs + position, end: base + Self.leafIDs + n)
            p[base + 1 + position] = key.score
            p[base + Self.leafIDs + position] = UInt64(bitPattern: Int64(key.id))
            p[base] = UInt64(n + 1)
            return (position, n + 1 > Self.leafCapacity)
        }
        rank += position
        return full ? splitLeaf(leaf) : nil
    }

    private mutating func splitLeaf(_ leaf: Int) -> Split {
        let right = newLeaf()
        return leaves.withUnsafeMutableBufferPointer { p in
            let from = leaf * Self.leafStride
            let to = right * Self.leafStride
            let total = Int(p[from])
            let keep = total / 2
            for j in keep..<total {
                p[to + 1 + j - keep] = p[from + 1 + j]
                p[to + Self.leafIDs + j - keep] = p[from + Self.leafIDs + j]
            }
            p[from] = UInt64(keep)
            p[to] = UInt64(total - keep)
            let first = RankKey(score: p[to + 1], id: Int(Int64(bitPattern: p[to + Self.leafIDs])))
            return Split(key: first, right: right, leftCount: keep, rightCount: total - keep)
        }
    }

    private mutating func splitBranch(_ node: Int) -> Split {
        let right = newBranch()
        return branches.withUnsafeMutableBufferPointer { p in
            let from = node * Self.branchStride
            let to = right * Self.branchStride
            let total = Int(p[from])
            let keep = total / 2
            for offset in [1, Self.branchIDs, Self.branchChildren, Self.branchCounts] {
                for j in keep..<total { p[to + offset + j - keep] = p[from + offset + j] }
            }
            p[from] = UInt64(keep)
            p[to] = UInt64(total - keep)
            let leftCount = Self.sum(UnsafeBufferPointer(p), from + Self.branchCounts, keep)
            let rightCount = Self.sum(UnsafeBufferPointer(p), to + Self.branchCounts, total - keep)
            let first = RankKey(score: p[to + 1], id: Int(Int64(bitPattern: p[to + Self.branchIDs])))
            return Split(key: first, right: right, leftCount: leftCount, rightCount: rightCount)
        }
    }

    private mutating func newLeaf() -> Int {
        leaves.append(contentsOf: repeatElement(0, count: Self.leafStride))
        return leaves.count / Self.leafStride - 1
    }

    private mutating func newBranch() -> Int {
        branches.append(contentsOf: repeatElement(0, count: Self.branchStride))
        return branches.count / Self.branchStride - 1
    }

    // MARK: - Kernels

    /// Moves slots `position..<end` one to the right (slot `end` is the node's spare).
    @inline(__always)
    private static func openSlot(_ p: UnsafeMutableBufferPointer<UInt64>, at position: Int, end: Int) {
        var j = end
        while j > position {
            p[j] = p[j - 1]
            j -= 1
        }
    }

    /// The sum of the `count` words from `start`.
    @inline(__always)
    private static func sum(_ p: UnsafeBufferPointer<UInt64>, _ start: Int, _ count: Int) -> Int {
        var total: UInt64 = 0
        for j in 0..<count { total &+= p[start + j] }
        return Int(total)
    }

    /// The number of keys among slots `first..<end` of a node (scores at `scores`, ids at `ids`, sorted)
    /// smaller than `key`: a branch-free count over the scores (the keys with a smaller score form a
    /// prefix), then a walk over equal scores.
    @inline(__always)
    private static func lowerBound(
        _ p: UnsafeBufferPointer<UInt64>, _ scores: Int, _ ids: Int, _ first: Int, _ end: Int, _ key: RankKey
    ) -> Int {
        var smaller = 0
        var j = first
        while j < end {
            smaller &+= p[scores + j] < key.score ? 1 : 0
            j += 1
        }
        var q = first + smaller
        let id = UInt64(bitPattern: Int64(key.id)) ^ (1 << 63)
        while q < end && p[scores + q] == key.score && p[ids + q] ^ (1 << 63) < id { q += 1 }
        return q - first
    }
}
