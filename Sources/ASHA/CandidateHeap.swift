/// A binary min-heap of `RankKey`s: the promotion candidates of a rung, best on top.
///
/// Entries whose trial stopped being a candidate (promoted elsewhere, killed, failed) are removed
/// lazily by the scheduler when they reach the top.
struct CandidateHeap: Sendable {
    private var keys: [RankKey] = []

    /// The number of entries, stale ones included.
    var count: Int { keys.count }

    /// The smallest (best) entry.
    var top: RankKey? { keys.first }

    /// Adds `key`.
    mutating func push(_ key: RankKey) {
        keys.append(key)
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard key < keys[parent] else { break }
            keys[child] = keys[parent]
            child = parent
        }
        keys[child] = key
    }

    /// Removes the top entry.
    mutating func popTop() {
        let last = keys.removeLast()
        guard !keys.isEmpty else { return }
        let n = keys.count
        var parent = 0
        while true {
            var child = 2 * parent + 1
            if child >= n { break }
            if child + 1 < n && keys[child + 1] < keys[child] { child += 1 }
            guard keys[child] < last else { break }
            keys[parent] = keys[child]
            parent = child
        }
        keys[parent] = last
    }
}
