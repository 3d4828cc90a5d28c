/// The bookkeeping of one rung of one bracket, besides its entries (a tree of the scheduler's
/// `OrderStatisticForest`) and its promotion candidates (a `CandidateHeap`). Plain values only, so
/// reading it copies nothing.
struct RungState: Sendable {
    /// The rung's resource level.
    let resource: Int
    /// How many recorded values are non-finite.
    var nonFiniteCount = 0
    /// How many trials were promoted from the rung.
    var promotedCount = 0
    /// Promotion variant: the number of entries ranked before the best live candidate (the top of the
    /// rung's heap); `Int.max` when there is no candidate. Kept current by the scheduler, so that
    /// "is anything promotable here?" costs O(1): `bestCandidateRank < ⌊n/η⌋`.
    var bestCandidateRank = Int.max
    /// The 0-based index of the entry cached in `cutoffCache`, or -1. An insert at a rank ≤ this index
    /// shifts the entry and clears the cache; entries are never removed, so nothing else can.
    var cutoffIndex = -1
    /// The key at `cutoffIndex`, when that is not -1.
    var cutoffCache = RankKey(score: 0, id: 0)

    init(resource: Int) {
        self.resource = resource
    }
}
