/// Insert-only order-statistic B+-trees of `RankKey`s, one per rung, sharing one node pool: insert,
/// rank and select in O(log n).
///
/// A rung's entries are facts and are never removed, so the trees need no deletion. Nodes live in two
/// `NodePool`s (no class per node, `Int` indices; aligned memory on huge pages once large), shared by all
/// trees, so the scheduler mutates one stored property in place and never copies a tree. Each node is
/// one contiguous block of bytes; a key takes 12 bytes (about 18 per entry at the ~70 % fill that random
/// inserts give, against 24 with 64-bit ids and counts):
///
/// - leaf: `size: UInt64, score: UInt64 × (L+1), id: UInt32 × (L+1)`, keys sorted, L = `leafCapacity`;
/// - branch: `size: UInt64, score: UInt64 × (B+1), count: UInt32 × (B+1), child: UInt32 × (B+1),
///   id: UInt32 × (B+1)`, B = `branchCapacity`, where `count` is the number of keys below the child and
///   the separator (score, id) of child j ≥ 1 is the smallest key below it (counts and children next to
///   the scores, so the loads of a descent follow the scan closely; ids last: they are read only to
///   break ties).
///
/// Trial ids and subtree counts are 32-bit (`insert` checks the id). The spare slot lets a node overflow
/// by one before it splits. In a leaf, a search counts the smaller scores front to back with loads that
/// do not depend on each other (a branch-free count), which lets the memory system fetch the leaf's lines
/// in parallel. Leaves are large (64 keys) so that the branches of a 10^6-entry rung (about 1 MB) mostly
/// stay in cache and a report misses the cache in about one place: its leaf. Branches (64 children) are
/// searched by a branch-free binary search, and an insert descends them once, remembering its path for
/// any split: in `ashb-bench scheduler` at 10^6 trials this runs 14 % fewer instructions in all
/// (callgrind) than a linear count in 32-child branches and a recursive descent, for about the same time.
///
/// Each tree also keeps a finger: a leaf and the rank of its first key. `select` reads the key there
/// without a descent when the index falls in that leaf, which is what the scheduler's cutoff does (it
/// moves by a rank or so per report).
struct OrderStatisticForest: Sendable {
    /// Keys per leaf before it splits.
    static let leafCapacity = 64
    /// Children per branch before it splits.
    static let branchCapacity = 64

    // Leaf layout, byte offsets from the block's start.
    private static let leafSlots = leafCapacity + 1
    private static let leafScores = 8
    private static let leafIDs = leafScores + 8 * leafSlots
    private static let leafStride = (leafIDs + 4 * leafSlots + 7) / 8 * 8
    // Branch layout, byte offsets from the block's start.
    private static let branchSlots = branchCapacity + 1
    private static let branchScores = 8
    private static let branchCounts = branchScores + 8 * branchSlots
    private static let branchChildren = branchCounts + 4 * branchSlots
    private static let branchIDs = branchChildren + 4 * branchSlots
    private static let branchStride = (branchIDs + 4 * branchSlots + 7) / 8 * 8
    /// A branch's four arrays: byte offset and element width.
    private static let branchArrays = [(branchScores, 8), (branchCounts, 4), (branchChildren, 4), (branchIDs, 4)]
    private static let leafArrays = [(leafScores, 8), (leafIDs, 4)]

    private var leaves = NodePool(blockBytes: leafStride)
    private var branches = NodePool(blockBytes: branchStride)
    /// Per tree: its root node, its number of branch levels (0: the root is a leaf), its number of keys.
    private var roots: [Int] = []
    private var heights: [Int] = []
    private var counts: [Int] = []
    /// Per tree: the finger's leaf (-1: none) and the rank of that leaf's first key.
    private var fingerLeaves: [Int] = []
    private var fingerStarts: [Int] = []

    /// `trees` empty trees, numbered `0..<trees`.
    init(trees: Int) {
        for _ in 0..<trees {
            roots.append(newLeaf())
            heights.append(0)
            counts.append(0)
            fingerLeaves.append(-1)
            fingerStarts.append(0)
        }
    }

    /// The number of trees.
    var treeCount: Int { roots.count }

    /// The number of branch levels of tree `t` (0: its root is a leaf), for tests.
    func height(_ t: Int) -> Int { heights[t] }

    /// The number of keys in tree `t`.
    @inline(__always)
    func count(_ t: Int) -> Int { counts[t] }

    /// Inserts `key` (which must not be in the tree yet; its id in `0...UInt32.max`) into tree `t` and
    /// returns its rank there: the number of keys smaller than it.
    @discardableResult
    mutating func insert(_ key: RankKey, into t: Int) -> Int {
        precondition(key.id >= 0 && key.id <= Int(UInt32.max), "trial id \(key.id) out of 0...\(UInt32.max)")
        precondition(counts[t] < Int(UInt32.max), "a rung holds at most \(UInt32.max) entries")
        var rank = 0
        let height = heights[t]
        let root = roots[t]
        // One descent through the branches (one exclusive access to their pool), remembering the path;
        // then the leaf; then any split carried up the path.
        let (leaf, split) = withUnsafeTemporaryAllocation(of: (node: Int, slot: Int).self, capacity: max(height, 1)) {
            path in
            var node = root
            branches.withUnsafeMutableBytes { raw in
                for level in 0..<height {
                    let p = raw.baseAddress! + node * Self.branchStride
                    let c = Self.branchLowerBound(UnsafeRawPointer(p), Self.size(p), key)
                    rank += Self.sumCounts(UnsafeRawPointer(p), c)
                    let offset = Self.branchCounts + 4 * c
                    p.storeBytes(
                        of: p.load(fromByteOffset: offset, as: UInt32.self) &+ 1, toByteOffset: offset,
                        as: UInt32.self)
                    path[level] = (node, c)
                    node = Self.child(UnsafeRawPointer(p), c)
                }
            }
            let leaf = node
            var split = insertIntoLeaf(key, leaf: leaf, rank: &rank)
            var level = height - 1
            while let carried = split, level >= 0 {
                split = insertIntoBranch(path[level].node, after: path[level].slot, carried)
                level -= 1
            }
            return (leaf, split)
        }
        if let split {
            let b = newBranch()
            branches.withUnsafeMutableBytes { raw in
                let p = raw.baseAddress! + b * Self.branchStride
                p.storeBytes(of: 2, as: UInt64.self)
                Self.setBranchEntry(p, 0, score: 0, id: 0, child: root, count: split.leftCount)
                Self.setBranchEntry(
                    p, 1, score: split.key.score, id: split.key.id, child: split.right, count: split.rightCount)
            }
            roots[t] = b
            heights[t] += 1
        }
        counts[t] += 1
        // Keys inserted into an earlier leaf shift the finger's leaf by one rank; a split keeps the lower
        // half in place, so the finger stays valid.
        if fingerLeaves[t] >= 0 && leaf != fingerLeaves[t] && rank <= fingerStarts[t] { fingerStarts[t] += 1 }
        return rank
    }

    /// The number of keys of tree `t` smaller than `key` (whether or not `key` is in it).
    func rank(of key: RankKey, in t: Int) -> Int {
        var node = roots[t]
        var rank = 0
        let height = heights[t]
        branches.withUnsafeBytes { raw in
            for _ in 0..<height {
                let p = raw.baseAddress! + node * Self.branchStride
                let c = Self.branchLowerBound(p, Self.size(p), key)
                rank += Self.sumCounts(p, c)
                node = Self.child(p, c)
            }
        }
        return rank
            + leaves.withUnsafeBytes { raw in
                let p = raw.baseAddress! + node * Self.leafStride
                return Self.lowerBound(p, Self.leafScores, Self.leafIDs, 0, Self.size(p), key)
            }
    }

    /// The key of rank `index` in tree `t` (0-based: the smallest key is at 0); `index` must be below
    /// `count(t)`.
    func key(at index: Int, in t: Int) -> RankKey {
        let (leaf, slot) = locate(index, in: t)
        return leafKey(leaf, slot)
    }

    /// `key(at:in:)` through the tree's finger: no descent when `index` falls in the finger's leaf;
    /// otherwise one descent, which moves the finger there.
    mutating func select(_ index: Int, in t: Int) -> RankKey {
        let leaf = fingerLeaves[t]
        let start = fingerStarts[t]
        if leaf >= 0 && index >= start {
            let slot = index - start
            let key: RankKey? = leaves.withUnsafeBytes { raw in
                let p = raw.baseAddress! + leaf * Self.leafStride
                guard slot < Self.size(p) else { return nil }
                return Self.leafKey(p, slot)
            }
            if let key {
                precondition(index < counts[t], "index \(index) out of 0..<\(counts[t])")
                return key
            }
        }
        let (found, slot) = locate(index, in: t)
        fingerLeaves[t] = found
        fingerStarts[t] = index - slot
        return leafKey(found, slot)
    }

    /// All keys of tree `t` in order (for tests and small rungs).
    func sortedKeys(_ t: Int) -> [RankKey] {
        (0..<counts[t]).map { key(at: $0, in: t) }
    }

    /// Bytes of the nodes in use (the pools' spare capacity aside), for tests and measurements.
    var bytes: Int { leaves.count * Self.leafStride + branches.count * Self.branchStride }

    /// The leaf holding rank `index` of tree `t`, and the slot there.
    private func locate(_ index: Int, in t: Int) -> (leaf: Int, slot: Int) {
        precondition(index >= 0 && index < counts[t], "index \(index) out of 0..<\(counts[t])")
        var node = roots[t]
        var k = UInt32(index)
        let height = heights[t]
        branches.withUnsafeBytes { raw in
            for _ in 0..<height {
                let p = raw.baseAddress! + node * Self.branchStride
                var j = 0
                while true {
                    let c = p.load(fromByteOffset: Self.branchCounts + 4 * j, as: UInt32.self)
                    if k < c { break }
                    k -= c
                    j += 1
                }
                node = Self.child(p, j)
            }
        }
        return (node, Int(k))
    }

    private func leafKey(_ leaf: Int, _ slot: Int) -> RankKey {
        leaves.withUnsafeBytes { raw in Self.leafKey(raw.baseAddress! + leaf * Self.leafStride, slot) }
    }

    // MARK: - Insertion

    private struct Split {
        var key: RankKey
        var right: Int
        var leftCount: Int
        var rightCount: Int
    }

    /// Enters the split of child `c` of branch `node` (the child's new right sibling, after slot `c`);
    /// returns the branch's own split when that overfills it.
    private mutating func insertIntoBranch(_ node: Int, after c: Int, _ split: Split) -> Split? {
        let full = branches.withUnsafeMutableBytes { raw in
            let p = raw.baseAddress! + node * Self.branchStride
            let n = Self.size(p)
            p.storeBytes(of: UInt32(split.leftCount), toByteOffset: Self.branchCounts + 4 * c, as: UInt32.self)
            Self.openSlot(p + Self.branchScores, width: 8, at: c + 1, end: n)
            Self.openSlot(p + Self.branchCounts, width: 4, at: c + 1, end: n)
            Self.openSlot(p + Self.branchChildren, width: 4, at: c + 1, end: n)
            Self.openSlot(p + Self.branchIDs, width: 4, at: c + 1, end: n)
            Self.setBranchEntry(
                p, c + 1, score: split.key.score, id: split.key.id, child: split.right, count: split.rightCount)
            p.storeBytes(of: UInt64(n + 1), as: UInt64.self)
            return n + 1 > Self.branchCapacity
        }
        return full ? splitBranch(node) : nil
    }

    private mutating func insertIntoLeaf(_ key: RankKey, leaf: Int, rank: inout Int) -> Split? {
        let (position, full) = leaves.withUnsafeMutableBytes { raw in
            let p = raw.baseAddress! + leaf * Self.leafStride
            let n = Self.size(p)
            let position = Self.lowerBound(UnsafeRawPointer(p), Self.leafScores, Self.leafIDs, 0, n, key)
            Self.openSlot(p + Self.leafScores, width: 8, at: position, end: n)
            Self.openSlot(p + Self.leafIDs, width: 4, at: position, end: n)
            p.storeBytes(of: key.score, toByteOffset: Self.leafScores + 8 * position, as: UInt64.self)
            p.storeBytes(of: UInt32(key.id), toByteOffset: Self.leafIDs + 4 * position, as: UInt32.self)
            p.storeBytes(of: UInt64(n + 1), as: UInt64.self)
            return (position, n + 1 > Self.leafCapacity)
        }
        rank += position
        return full ? splitLeaf(leaf) : nil
    }

    /// Moves the upper half of a full node's `arrays` (byte offset, element width) to the empty node
    /// `to` and sets both sizes: how many entries the node kept and how many moved.
    private static func moveUpperHalf(
        _ from: UnsafeMutableRawPointer, _ to: UnsafeMutableRawPointer, arrays: [(Int, Int)]
    ) -> (keep: Int, moved: Int) {
        let total = size(from)
        let keep = total / 2
        let moved = total - keep
        for (offset, width) in arrays {
            (to + offset).copyMemory(from: from + offset + width * keep, byteCount: width * moved)
        }
        from.storeBytes(of: UInt64(keep), as: UInt64.self)
        to.storeBytes(of: UInt64(moved), as: UInt64.self)
        return (keep, moved)
    }

    private mutating func splitLeaf(_ leaf: Int) -> Split {
        let right = newLeaf()
        return leaves.withUnsafeMutableBytes { raw in
            let from = raw.baseAddress! + leaf * Self.leafStride
            let to = raw.baseAddress! + right * Self.leafStride
            let (keep, moved) = Self.moveUpperHalf(from, to, arrays: Self.leafArrays)
            return Split(key: Self.leafKey(to, 0), right: right, leftCount: keep, rightCount: moved)
        }
    }

    private mutating func splitBranch(_ node: Int) -> Split {
        let right = newBranch()
        return branches.withUnsafeMutableBytes { raw in
            let from = raw.baseAddress! + node * Self.branchStride
            let to = raw.baseAddress! + right * Self.branchStride
            let (keep, moved) = Self.moveUpperHalf(from, to, arrays: Self.branchArrays)
            let leftCount = Self.sumCounts(UnsafeRawPointer(from), keep)
            let rightCount = Self.sumCounts(UnsafeRawPointer(to), moved)
            let first = RankKey(
                score: to.load(fromByteOffset: Self.branchScores, as: UInt64.self),
                id: Int(to.load(fromByteOffset: Self.branchIDs, as: UInt32.self)))
            return Split(key: first, right: right, leftCount: leftCount, rightCount: rightCount)
        }
    }

    private mutating func newLeaf() -> Int {
        leaves.appendBlock()
    }

    private mutating func newBranch() -> Int {
        branches.appendBlock()
    }

    // MARK: - Kernels

    /// The number of keys (or children) of the node at `p`.
    @inline(__always)
    private static func size(_ p: UnsafeRawPointer) -> Int { Int(p.load(as: UInt64.self)) }

    @inline(__always)
    private static func child(_ p: UnsafeRawPointer, _ j: Int) -> Int {
        Int(p.load(fromByteOffset: branchChildren + 4 * j, as: UInt32.self))
    }

    @inline(__always)
    private static func leafKey(_ p: UnsafeRawPointer, _ slot: Int) -> RankKey {
        RankKey(
            score: p.load(fromByteOffset: leafScores + 8 * slot, as: UInt64.self),
            id: Int(p.load(fromByteOffset: leafIDs + 4 * slot, as: UInt32.self)))
    }

    @inline(__always)
    private static func setBranchEntry(
        _ p: UnsafeMutableRawPointer, _ j: Int, score: UInt64, id: Int, child: Int, count: Int
    ) {
        p.storeBytes(of: score, toByteOffset: branchScores + 8 * j, as: UInt64.self)
        p.storeBytes(of: UInt32(id), toByteOffset: branchIDs + 4 * j, as: UInt32.self)
        p.storeBytes(of: UInt32(child), toByteOffset: branchChildren + 4 * j, as: UInt32.self)
        p.storeBytes(of: UInt32(count), toByteOffset: branchCounts + 4 * j, as: UInt32.self)
    }

    /// Moves the `width`-byte slots `position..<end` of the array at `p` one slot to the right (slot
    /// `end` is the node's spare).
    @inline(__always)
    private static func openSlot(_ p: UnsafeMutableRawPointer, width: Int, at position: Int, end: Int) {
        guard end > position else { return }
        (p + width * (position + 1)).copyMemory(from: p + width * position, byteCount: width * (end - position))
    }

    /// The sum of a branch's first `count` subtree counts.
    @inline(__always)
    private static func sumCounts(_ p: UnsafeRawPointer, _ count: Int) -> Int {
        var total: UInt32 = 0
        for j in 0..<count { total &+= p.load(fromByteOffset: branchCounts + 4 * j, as: UInt32.self) }
        return Int(total)
    }

    /// The child of the branch at `p` (with `end` children) whose subtree `key` belongs to: the number of
    /// separators (slots `1..<end`) smaller than `key`. Branches are read from cache, so a branch-free
    /// binary search (about log2 of the size in steps) beats the leaves' linear count here; then a walk
    /// over equal scores.
    @inline(__always)
    private static func branchLowerBound(_ p: UnsafeRawPointer, _ end: Int, _ key: RankKey) -> Int {
        let s = (p + branchScores).assumingMemoryBound(to: UInt64.self)
        var n = end - 1
        guard n > 0 else { return 0 }
        var base = 1
        // At most six halvings (a branch has at most 65 children, 64 separators), written out rather than looped: in a
        // loop the compiler turns the select into a jump that mispredicts half the time.
        @inline(__always) func halve() {
            let half = n >> 1
            base = s[base &+ half] < key.score ? base &+ half : base
            n -= half
        }
        precondition(branchCapacity <= 64, "branchLowerBound halves at most six times")
        if n > 1 { halve() }
        if n > 1 { halve() }
        if n > 1 { halve() }
        if n > 1 { halve() }
        if n > 1 { halve() }
        if n > 1 { halve() }
        var q = base + (s[base] < key.score ? 1 : 0)
        while q < end && s[q] == key.score && Int(p.load(fromByteOffset: branchIDs + 4 * q, as: UInt32.self)) < key.id {
            q += 1
        }
        return q - 1
    }

    /// The number of keys among slots `first..<end` of a node (scores at byte offset `scores`, 32-bit
    /// ids at `ids`, sorted) smaller than `key`: a branch-free count over the scores (the keys with a
    /// smaller score form a prefix), then a walk over equal scores.
    @inline(__always)
    private static func lowerBound(
        _ p: UnsafeRawPointer, _ scores: Int, _ ids: Int, _ first: Int, _ end: Int, _ key: RankKey
    ) -> Int {
        let s = (p + scores).assumingMemoryBound(to: UInt64.self)
        var smaller = 0
        var j = first
        while j < end {
            smaller &+= s[j] < key.score ? 1 : 0
            j += 1
        }
        var q = first + smaller
        while q < end && s[q] == key.score && Int(p.load(fromByteOffset: ids + 4 * q, as: UInt32.self)) < key.id {
            q += 1
        }
        return q - first
    }
}
