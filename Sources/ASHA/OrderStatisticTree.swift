/// An insert-only order-statistic B+-tree of `RankKey`s: insert, rank and select in O(log n).
///
/// A rung's entries are facts and are never removed, so the tree needs no deletion. Nodes live in
/// flat arrays (structure of arrays, `Int` indices, no class per node): a leaf holds up to
/// `leafCapacity` sorted keys; a branch holds up to `branchCapacity` children with the number of
/// keys below each child, and the smallest key of each child as separator. With 64-way nodes a
/// tree of 10^6 keys is four levels deep, and a search reads a few contiguous cache lines per level.
struct OrderStatisticTree: Sendable {
    /// Keys per leaf before it splits.
    static let leafCapacity = 64
    /// Children per branch before it splits.
    static let branchCapacity = 64
    /// Slots per node: one spare, so a node may overflow by one before it splits.
    private static let leafStride = leafCapacity + 1
    private static let branchStride = branchCapacity + 1

    private var leafScores: [UInt64] = []
    private var leafIDs: [Int] = []
    private var leafSizes: [Int] = []
    /// Separator j of a branch is the smallest key below child j (slot 0 is unused).
    private var branchScores: [UInt64] = []
    private var branchIDs: [Int] = []
    private var branchChildren: [Int] = []
    /// The number of keys below each child.
    private var branchCounts: [Int] = []
    private var branchSizes: [Int] = []
    private var root = 0
    /// Branch levels above the leaves (0: the root is a leaf).
    private var height = 0

    /// The number of keys.
    private(set) var count = 0

    /// An empty tree.
    init() {
        root = newLeaf()
    }

    /// Inserts `key` (which must not be in the tree yet) and returns its rank: the number of keys
    /// smaller than it.
    @discardableResult
    mutating func insert(_ key: RankKey) -> Int {
        var rank = 0
        if let split = insert(key, node: root, level: height, rank: &rank) {
            let b = newBranch()
            let base = b * Self.branchStride
            branchChildren[base] = root
            branchCounts[base] = split.leftCount
            branchChildren[base + 1] = split.right
            branchCounts[base + 1] = split.rightCount
            branchScores[base + 1] = split.key.score
            branchIDs[base + 1] = split.key.id
            branchSizes[b] = 2
            root = b
            height += 1
        }
        count += 1
        return rank
    }

    /// The number of keys smaller than `key` (whether or not `key` is in the tree).
    func rank(of key: RankKey) -> Int {
        var node = root
        var rank = 0
        for _ in 0..<height {
            let base = node * Self.branchStride
            let c = Self.lowerBound(branchScores, branchIDs, base + 1, base + branchSizes[node], key)
            for j in 0..<c { rank += branchCounts[base + j] }
            node = branchChildren[base + c]
        }
        let base = node * Self.leafStride
        return rank + Self.lowerBound(leafScores, leafIDs, base, base + leafSizes[node], key)
    }

    /// The key of rank `index` (0-based: the smallest key is at 0); `index` must be below `count`.
    func key(at index: Int) -> RankKey {
        precondition(index >= 0 && index < count, "index \(index) out of 0..<\(count)")
        var node = root
        var k = index
        for _ in 0..<height {
            let base = node * Self.branchStride
            var j = 0
            while k >= branchCounts[base + j] {
                k -= branchCounts[base + j]
                j += 1
            }
            node = branchChildren[base + j]
        }
        let slot = node * Self.leafStride + k
        return RankKey(score: leafScores[slot], id: leafIDs[slot])
    }

    /// All keys in order (for tests and small rungs).
    var sortedKeys: [RankKey] {
        (0..<count).map { key(at: $0) }
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
        let n = branchSizes[node]
        let c = Self.lowerBound(branchScores, branchIDs, base + 1, base + n, key)
        for j in 0..<c { rank += branchCounts[base + j] }
        branchCounts[base + c] += 1
        guard let split = insert(key, node: branchChildren[base + c], level: level - 1, rank: &rank) else {
            return nil
        }
        branchCounts[base + c] = split.leftCount
        var j = base + n
        while j > base + c + 1 {
            branchScores[j] = branchScores[j - 1]
            branchIDs[j] = branchIDs[j - 1]
            branchChildren[j] = branchChildren[j - 1]
            branchCounts[j] = branchCounts[j - 1]
            j -= 1
        }
        branchScores[j] = split.key.score
        branchIDs[j] = split.key.id
        branchChildren[j] = split.right
        branchCounts[j] = split.rightCount
        branchSizes[node] = n + 1
        return n + 1 > Self.branchCapacity ? splitBranch(node) : nil
    }

    private mutating func insertIntoLeaf(_ key: RankKey, leaf: Int, rank: inout Int) -> Split? {
        let base = leaf * Self.leafStride
        let n = leafSizes[leaf]
        let position = Self.lowerBound(leafScores, leafIDs, base, base + n, key)
        rank += position
        var j = base + n
        while j > base + position {
            leafScores[j] = leafScores[j - 1]
            leafIDs[j] = leafIDs[j - 1]
            j -= 1
        }
        leafScores[j] = key.score
        leafIDs[j] = key.id
        leafSizes[leaf] = n + 1
        return n + 1 > Self.leafCapacity ? splitLeaf(leaf) : nil
    }

    private mutating func splitLeaf(_ leaf: Int) -> Split {
        let right = newLeaf()
        let total = leafSizes[leaf]
        let keep = total / 2
        let from = leaf * Self.leafStride
        let to = right * Self.leafStride
        for j in keep..<total {
            leafScores[to + j - keep] = leafScores[from + j]
            leafIDs[to + j - keep] = leafIDs[from + j]
        }
        leafSizes[leaf] = keep
        leafSizes[right] = total - keep
        let first = RankKey(score: leafScores[to], id: leafIDs[to])
        return Split(key: first, right: right, leftCount: keep, rightCount: total - keep)
    }

    private mutating func splitBranch(_ node: Int) -> Split {
        let right = newBranch()
        let total = branchSizes[node]
        let keep = total / 2
        let from = node * Self.branchStride
        let to = right * Self.branchStride
        var leftCount = 0
        var rightCount = 0
        for j in 0..<keep { leftCount += branchCounts[from + j] }
        for j in keep..<total {
            branchScores[to + j - keep] = branchScores[from + j]
            branchIDs[to + j - keep] = branchIDs[from + j]
            branchChildren[to + j - keep] = branchChildren[from + j]
            branchCounts[to + j - keep] = branchCounts[from + j]
            rightCount += branchCounts[from + j]
        }
        branchSizes[node] = keep
        branchSizes[right] = total - keep
        let first = RankKey(score: branchScores[to], id: branchIDs[to])
        return Split(key: first, right: right, leftCount: leftCount, rightCount: rightCount)
    }

    private mutating func newLeaf() -> Int {
        leafScores.append(contentsOf: repeatElement(0, count: Self.leafStride))
        leafIDs.append(contentsOf: repeatElement(0, count: Self.leafStride))
        leafSizes.append(0)
        return leafSizes.count - 1
    }

    private mutating func newBranch() -> Int {
        branchScores.append(contentsOf: repeatElement(0, count: Self.branchStride))
        branchIDs.append(contentsOf: repeatElement(0, count: Self.branchStride))
        branchChildren.append(contentsOf: repeatElement(0, count: Self.branchStride))
        branchCounts.append(contentsOf: repeatElement(0, count: Self.branchStride))
        branchSizes.append(0)
        return branchSizes.count - 1
    }

    /// The number of keys in the sorted slots `start..<end` that are smaller than `key`: a branch-free
    /// count over the scores (the keys with a smaller score form a prefix), then a walk over equal scores.
    @inline(__always)
    private static func lowerBound(_ scores: [UInt64], _ ids: [Int], _ start: Int, _ end: Int, _ key: RankKey) -> Int {
        guard start < end else { return 0 }
        let smaller = scores.withUnsafeBufferPointer { buffer -> Int in
            var c = 0
            for j in start..<end { c &+= buffer[j] < key.score ? 1 : 0 }
            return c
        }
        var p = start + smaller
        while p < end && scores[p] == key.score && ids[p] < key.id { p += 1 }
        return p - start
    }
}
