/// One rung of one bracket: every value recorded there (an order-statistic tree), its promotion
/// candidates (a heap) and the rank of the best candidate, kept up to date so that "is anything
/// promotable here?" costs O(1).
struct Rung: Sendable {
    /// The rung's resource level.
    let resource: Int
    /// Every value recorded at the rung, in rank order. Entries are never removed.
    private(set) var entries = OrderStatisticTree()
    /// How many recorded values are non-finite.
    private(set) var nonFiniteCount = 0
    /// How many trials were promoted from the rung.
    var promotedCount = 0
    /// Promotion variant: waiting trials (top entry always a current candidate, see the scheduler).
    var candidates = CandidateHeap()
    /// The number of entries better than the top candidate; `Int.max` when there is no candidate.
    private(set) var bestCandidateRank = Int.max

    init(resource: Int) {
        self.resource = resource
    }

    /// The number of entries.
    var count: Int { entries.count }

    /// Records `key` and returns its 0-based rank among the entries.
    mutating func record(_ key: RankKey) -> Int {
        let rank = entries.insert(key)
        if !key.isFinite { nonFiniteCount += 1 }
        if let top = candidates.top, key < top { bestCandidateRank += 1 }
        return rank
    }

    /// Makes the just recorded `key` (of 0-based `rank`) a promotion candidate.
    mutating func addCandidate(_ key: RankKey, rank: Int) {
        let previous = candidates.top
        candidates.push(key)
        if previous == nil || key < previous! { bestCandidateRank = rank }
    }

    /// Recomputes the rank of the top candidate (after the top changed).
    mutating func refreshBestCandidateRank() {
        bestCandidateRank = candidates.top.map { entries.rank(of: $0) } ?? Int.max
    }

    /// The key at the cutoff: the entry of 1-based rank ⌊n/η⌋, or the worst finite entry when that
    /// one is non-finite; nil when ⌊n/η⌋ = 0 or no entry is finite.
    func cutoffKey(reductionFactor: Int) -> RankKey? {
        let k = min(entries.count / reductionFactor, entries.count - nonFiniteCount)
        return k >= 1 ? entries.key(at: k - 1) : nil
    }

    /// True when the top candidate is among the best ⌊n/η⌋ entries.
    func isPromotable(reductionFactor: Int) -> Bool {
        bestCandidateRank < entries.count / reductionFactor
    }
}
