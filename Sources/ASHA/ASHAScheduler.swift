/// Asynchronous successive halving (ASHA) and asynchronous Hyperband, as a pure value.
///
/// The scheduler has no clock, threads, files or I/O: the same calls in the same order give the same
/// results, so a run can be rebuilt by replaying its event log into these calls. Trials are numbered
/// 0, 1, 2, ... in the order `nextJob()` starts them, and trial i has configuration
/// `space.sample(index: i, seed: settings.seed)`.
///
/// **Brackets.** Bracket b uses early-stopping rate s + b, so `ladders[b]` is
/// `rungLadder(minResource: r, maxResource: R, reductionFactor: η, minEarlyStoppingRate: s + b)`. A new
/// trial's bracket is a pure function of (seed, trial index): see `BracketChooser` (probability of
/// bracket b ∝ η^(K_b − 1)/K_b, with K_b its number of rungs, as in synchronous Hyperband).
///
/// **Order.** A rung's entries are ranked by value (better first, under `settings.goal`), then by trial
/// id (lower first). NaN and ±∞ rank worst, below every finite value; they count in the rung's size n.
///
/// **Cutoff** of a rung with n entries: the value of rank ⌊n/η⌋ (1-based); when that entry is not
/// finite, the worst finite value; nil while ⌊n/η⌋ = 0 (fewer than η entries) or no value is finite.
/// So a non-finite value never becomes the cutoff while finite values exist.
///
/// **Promotion variant** (the paper): a free worker asks `nextJob()`. Brackets are scanned in index
/// order, and within a bracket rungs from the highest non-top rung down; the first rung whose best
/// not-yet-promoted candidate ranks within the top ⌊n/η⌋ (rank ≤ ⌊n/η⌋, ties by trial id) promotes
/// that candidate to the next rung. A rung with fewer than η entries promotes nothing. Killed, failed
/// and non-finite trials are never candidates. With nothing promotable, a new trial starts at rung 0.
///
/// **Stopping variant** (Ray Tune, Optuna): every job trains a new trial towards R. At each rung the
/// reported value is recorded first, then compared with the cutoff including it: the trial continues
/// when its value is not worse than the cutoff (a value equal to the cutoff continues), else stops.
/// Below η entries it continues (`tooFewEntries`).
///
/// **Non-finite values** stop the trial in both variants (`.stop`, reason `nonFiniteValue`), whatever
/// the rung size; at the top rung the action is `.complete` with reason `nonFiniteValue`.
///
/// **Skipped rungs.** Stopping variant: a report whose resource reaches several undecided rung levels
/// records the value at each of them in order; the first `.stop` ends it (the value is not recorded
/// above). Promotion variant: a job ends at its target rung; the value is recorded there only, even
/// when the resource reported is beyond it (entering a higher rung needs a promotion).
///
/// **Budgets.** `maxTrials` caps the trials sampled; `maxTotalResource` caps the resource used, the sum
/// over reports of (reported resource − the trial's previous resource, when positive). Once
/// `resourceUsed ≥ maxTotalResource`, `nextJob()` starts nothing (no new trial, no promotion); after
/// `maxTrials` trials it only promotes. Running jobs finish in both cases; `resumeJob(for:)` is never
/// refused by a budget.
///
/// **Cost.** A report costs one insertion into its rung's order-statistic B+-tree (O(log n), which also
/// gives the rank) and, when the cutoff's rank or entry changed, one select: O(1) through the tree's
/// finger while the cutoff stays in the same leaf (it moves by about one rank per report), else
/// O(log n). A free
/// worker's `nextJob()` checks each rung in O(1) (the rank of each rung's best candidate is kept
/// current) and a promotion costs a heap pop and one rank query, O(log n). Nothing is O(n).
public struct ASHAScheduler: Sendable {
    /// The search space trials are sampled from.
    public let space: SearchSpace
    /// The validated settings.
    public let settings: SchedulerSettings
    /// `ladders[b]` = the rung resources of bracket b (early-stopping rate s + b).
    public let ladders: [[Int]]

    /// All rungs, bracket after bracket; bracket b's rung k is `rungs[rungStart[b] + k]`, its entries
    /// are tree `rungStart[b] + k` of `entries` and its promotion candidates `candidates[rungStart[b] + k]`.
    var rungs: [RungState]
    var entries: OrderStatisticForest
    var candidates: [CandidateHeap]
    let rungStart: [Int]
    let chooser: BracketChooser
    /// One record per trial, indexed by trial id.
    var trials: [TrialRecord] = []
    /// The model-based sampler, when `settings.sampler` is `tpe`; fed every value recorded at a rung.
    var tpe: TPESampler?

    /// Trials with a job running now.
    public internal(set) var runningCount = 0
    /// Trials whose job was interrupted and not resumed (nor ended) yet.
    public internal(set) var interruptedCount = 0
    /// Resource trained so far, across all trials.
    public internal(set) var resourceUsed = 0

    /// A scheduler for `space` with `settings`.
    ///
    /// - Throws: `SchedulerError` naming the setting when the ladder is invalid (r < 1, R < r, η < 2,
    ///   s < 0), `brackets` < 1 or more than the distinct ladders available (bracket b − 1 must have at
    ///   least two rungs), or a budget is negative.
    public init(space: SearchSpace, settings: SchedulerSettings) throws(SchedulerError) {
        let first = try rungLadder(
            minResource: settings.minResource, maxResource: settings.maxResource,
            reductionFactor: settings.reductionFactor, minEarlyStoppingRate: settings.minEarlyStoppingRate)
        guard settings.brackets >= 1 else {
            throw SchedulerError(field: "brackets", message: "must be at least 1 (got \(settings.brackets))")
        }
        var ladders = [first]
        for b in 1..<settings.brackets {
            guard ladders[b - 1].count > 1 else {
                throw SchedulerError(
                    field: "brackets", message: "at most \(b) brackets for these resources (got \(settings.brackets))")
            }
            ladders.append(
                try rungLadder(
                    minResource: settings.minResource, maxResource: settings.maxResource,
                    reductionFactor: settings.reductionFactor, minEarlyStoppingRate: settings.minEarlyStoppingRate + b))
        }
        if let m = settings.maxTrials, m < 0 {
            throw SchedulerError(field: "maxTrials", message: "must not be negative (got \(m))")
        }
        if let m = settings.maxTotalResource, m < 0 {
            throw SchedulerError(field: "maxTotalResource", message: "must not be negative (got \(m))")
        }
        if case .tpe(let tpe) = settings.sampler, let problem = tpe.problem() {
            throw SchedulerError(field: "sampler.\(problem.key)", message: problem.message)
        }
        self.space = space
        self.settings = settings
        self.ladders = ladders
        var rungs: [RungState] = []
        var starts: [Int] = []
        for ladder in ladders {
            starts.append(rungs.count)
            rungs += ladder.map { RungState(resource: $0) }
        }
        self.rungs = rungs
        self.entries = OrderStatisticForest(trees: rungs.count)
        self.candidates = Array(repeating: CandidateHeap(), count: rungs.count)
        self.rungStart = starts
        self.chooser = BracketChooser(ladders: ladders, reductionFactor: settings.reductionFactor)
        if let m = settings.maxTrials { trials.reserveCapacity(min(m, 1 << 20)) }
        if case .tpe(let tpe) = settings.sampler {
            self.tpe = TPESampler(space: space, settings: tpe, stopping: settings.variant == .stopping)
        }
    }

    /// How many trials were sampled (started) so far; trial ids are `0..<trialsSampled`.
    public var trialsSampled: Int { trials.count }

    /// The run is over: no trial may start (the budget is spent: `maxTrials` sampled or
    /// `maxTotalResource` used), none is running or interrupted, and none is promotable.
    public var isFinished: Bool {
        runningCount == 0 && interruptedCount == 0 && !canStartNewTrial && !hasPromotion
    }

    /// The bracket of `trial`, or nil for an unknown trial.
    public func bracket(of trial: TrialID) -> Int? {
        trials.indices.contains(trial) ? Int(trials[trial].bracket) : nil
    }

    /// The configuration of `trial`, or nil for a trial not started yet: with random sampling (and for a
    /// random draw of the model-based sampler) sampled afresh, a pure function of the seed and the id.
    public func configuration(of trial: TrialID) -> Configuration? {
        guard trials.indices.contains(trial) else { return nil }
        return tpe?.proposedConfiguration(of: trial) ?? space.sample(index: trial, seed: settings.seed)
    }

    /// Where `trial`'s configuration came from: nil with the random sampler (always random) or for an
    /// unknown trial.
    public func sampleOrigin(of trial: TrialID) -> SampleOrigin? {
        guard let tpe, tpe.origins.indices.contains(trial) else { return nil }
        return tpe.origins[trial]
    }

    /// The model-based sampler's current model: the rung resource it models and its number of results;
    /// nil with the random sampler or while no rung level has enough results.
    public mutating func samplerModel() -> (resource: Int, observations: Int)? {
        tpe?.currentModel()
    }

    /// Where `trial` stands, or nil for an unknown trial.
    public func phase(of trial: TrialID) -> TrialPhase? {
        trials.indices.contains(trial) ? trials[trial].phase : nil
    }

    /// The largest resource `trial` reported so far (0 before its first report), or nil if unknown.
    public func resource(of trial: TrialID) -> Int? {
        trials.indices.contains(trial) ? trials[trial].resource : nil
    }

    /// The number of entries recorded at rung `rung` of bracket `bracket` (0 for a rung that does not exist).
    public func rungSize(bracket: Int, rung: Int) -> Int {
        rungIndex(bracket: bracket, rung: rung).map { entries.count($0) } ?? 0
    }

    /// The number of trials promoted from that rung (0 for a rung that does not exist).
    public func promotedCount(bracket: Int, rung: Int) -> Int {
        rungIndex(bracket: bracket, rung: rung).map { rungs[$0].promotedCount } ?? 0
    }

    /// The rung's current cutoff (see the type's documentation), or nil.
    public func cutoff(bracket: Int, rung: Int) -> Double? {
        rungIndex(bracket: bracket, rung: rung).flatMap { cutoffKey($0)?.value(goal: settings.goal) }
    }

    /// The entries recorded at the rung, best first, as (trial, value); non-finite values come back as NaN.
    /// O(n): for tests and small screens.
    public func rungEntries(bracket: Int, rung: Int) -> [(trial: TrialID, value: Double)] {
        guard let r = rungIndex(bracket: bracket, rung: rung) else { return [] }
        return entries.sortedKeys(r).map { ($0.id, $0.value(goal: settings.goal)) }
    }

    func rungIndex(bracket: Int, rung: Int) -> Int? {
        guard ladders.indices.contains(bracket), ladders[bracket].indices.contains(rung) else { return nil }
        return rungStart[bracket] + rung
    }

    /// The key at rung `r`'s cutoff: the entry of 1-based rank ⌊n/η⌋, or the worst finite entry when that
    /// one is not finite; nil when ⌊n/η⌋ = 0 or no entry is finite.
    func cutoffKey(_ r: Int) -> RankKey? {
        let n = entries.count(r)
        let k = min(n / settings.reductionFactor, n - rungs[r].nonFiniteCount)
        return k >= 1 ? entries.key(at: k - 1, in: r) : nil
    }

    /// `cutoffKey(r)`, using and refreshing the rung's cache (the hot path: most reports land behind
    /// the cutoff and leave it where it was).
    mutating func currentCutoff(_ r: Int) -> RankKey? {
        let n = entries.count(r)
        let k = min(n / settings.reductionFactor, n - rungs[r].nonFiniteCount)
        guard k >= 1 else { return nil }
        if rungs[r].cutoffIndex != k - 1 {
            rungs[r].cutoffCache = entries.select(k - 1, in: r)
            rungs[r].cutoffIndex = k - 1
        }
        return rungs[r].cutoffCache
    }

    /// True when rung `r`'s best live candidate ranks within the top ⌊n/η⌋.
    @inline(__always)
    func isPromotable(_ r: Int) -> Bool {
        rungs[r].bestCandidateRank < entries.count(r) / settings.reductionFactor
    }

    var resourceLeft: Bool {
        settings.maxTotalResource.map { resourceUsed < $0 } ?? true
    }

    var canStartNewTrial: Bool {
        resourceLeft && (settings.maxTrials.map { trials.count < $0 } ?? true)
    }

    var hasPromotion: Bool {
        guard settings.variant == .promotion && resourceLeft else { return false }
        return rungs.indices.contains { isPromotable($0) }
    }
}

/// What the scheduler keeps per trial (16 bytes).
struct TrialRecord: Sendable {
    var resource: Int
    var bracket: Int32
    /// Promotion variant: the rung the current (or last) job trains towards, where the trial waits.
    /// Stopping variant: the next rung not decided yet.
    var rung: Int16
    var phase: TrialPhase
}
