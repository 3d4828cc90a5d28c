import ASHA

/// A brute-force model of the rungs: plain arrays kept sorted by linear insertion, scanned linearly.
struct ReferenceModel {
    let eta: Int
    let goal: Goal
    let ladders: [[Int]]
    /// entries[b][k] = (trial, value) recorded at rung k of bracket b, best first. Use `record`.
    private(set) var entries: [[[(trial: TrialID, value: Double)]]]
    /// promoted[b][k] = trials promoted from that rung.
    var promoted: [[Set<TrialID>]]
    /// Trials waiting at a rung (promotion variant): trial → (bracket, rung).
    var waiting: [TrialID: (bracket: Int, rung: Int)] = [:]

    init(eta: Int, goal: Goal, ladders: [[Int]]) {
        self.eta = eta
        self.goal = goal
        self.ladders = ladders
        entries = ladders.map { $0.map { _ in [] } }
        promoted = ladders.map { $0.map { _ in [] } }
    }

    /// Strictly better under the goal, non-finite worst, ties by lower trial id.
    func ranksBefore(_ a: (trial: TrialID, value: Double), _ b: (trial: TrialID, value: Double)) -> Bool {
        if goal.isBetter(a.value, than: b.value) { return true }
        if goal.isBetter(b.value, than: a.value) { return false }
        return a.trial < b.trial
    }

    /// Records `value` for `trial` at rung k of bracket b.
    mutating func record(_ trial: TrialID, _ value: Double, _ b: Int, _ k: Int) {
        let entry = (trial: trial, value: value)
        let i = entries[b][k].firstIndex { ranksBefore(entry, $0) } ?? entries[b][k].count
        entries[b][k].insert(entry, at: i)
    }

    func sorted(_ b: Int, _ k: Int) -> [(trial: TrialID, value: Double)] {
        entries[b][k]
    }

    /// 1-based rank of `trial` at the rung.
    func rank(_ trial: TrialID, _ b: Int, _ k: Int) -> Int {
        sorted(b, k).firstIndex { $0.trial == trial }! + 1
    }

    /// The value of rank ⌊n/η⌋, or the worst finite value when that one is not finite.
    func cutoff(_ b: Int, _ k: Int) -> Double? {
        let s = sorted(b, k)
        let finite = s.filter { $0.value.isFinite }.count
        let m = min(s.count / eta, finite)
        return m >= 1 ? s[m - 1].value : nil
    }

    /// The promotion the paper's rule makes now: brackets in order, highest non-top rung first, the best
    /// waiting trial if it ranks within the top ⌊n/η⌋.
    func expectedPromotion() -> (trial: TrialID, bracket: Int, rung: Int)? {
        for b in ladders.indices {
            for k in stride(from: ladders[b].count - 2, through: 0, by: -1) {
                let s = sorted(b, k)
                let quota = s.count / eta
                if let i = s.firstIndex(where: { waiting[$0.trial].map { $0 == (b, k) } ?? false }), i < quota {
                    return (s[i].trial, b, k)
                }
            }
        }
        return nil
    }
}
