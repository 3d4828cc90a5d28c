/// How new configurations are chosen.
public enum SamplerSettings: Sendable, Codable, Equatable {
    /// Counter-based random sampling: configuration i is `space.sample(index: i, seed:)`, a function of
    /// the seed and i alone.
    case random
    /// BOHB-style tree-structured Parzen estimator over the rung results (see `TPESampler`).
    case tpe(TPESettings)

    /// `random` or `tpe`.
    public var name: String {
        switch self {
        case .random: return "random"
        case .tpe: return "tpe"
        }
    }
}

/// Settings of the model-based sampler; `problem()` says what is out of range.
public struct TPESettings: Sendable, Codable, Equatable {
    /// Share of new configurations drawn at random even when a model exists (in [0, 1]).
    public var randomFraction: Double
    /// Observations a rung level needs before it is modelled; nil = the number of tuned parameters + 2.
    public var minPoints: Int?
    /// Candidates drawn from the good density per sample; the best ratio wins (1 … 4096).
    public var candidates: Int
    /// Share of a level's observations that make up the good density, γ in (0, 1).
    public var gamma: Double
    /// The fewest observations in each of the good and the bad set (BOHB: parameters + 1); nil = 1.
    /// The good set is the best max(⌈γ·n⌉, minGood), the bad set the rest; a level is modelled once
    /// both sets can have minGood.
    public var minGood: Int?
    /// Candidates are drawn with the good density's bandwidths times this factor (BOHB: 3), ≥ 1.
    public var bandwidthFactor: Double
    /// Floor of every bandwidth, in the unit scale of a parameter's range (0 < floor ≤ 0.5).
    public var minBandwidth: Double
    /// The most kernels in each density: larger sets are thinned evenly by rank, so a sample costs
    /// O(candidates × maxKernels × parameters) however many results there are (≥ 2).
    public var maxKernels: Int
    /// A model's candidate closer than this to a configuration already sampled (finished, stopped or
    /// still running), in the unit scale and on every coordinate (choices equal), is a near-duplicate:
    /// the best candidate that is not one wins, and when all are, the configuration is drawn at random.
    /// 0 (the default) turns the check off, as in logs written before it existed; in [0, 0.5].
    public var minDistance: Double
    /// Never sample a configuration that evaluates as one sampled before (finished, stopped or still
    /// running), when another can be found: the model's best candidate that is not a duplicate wins, and
    /// a random draw that is one is drawn again (up to 15 more draws). Duplicates are decided on
    /// canonical configurations (`Objective.canonicalConfiguration`: for most objectives the sampled
    /// configuration itself, so only spaces with integers, choices or steps have any; for `curves`, the
    /// recorded configuration it replays), and the model is fitted at the canonical configurations.
    /// On by default; logs written before it existed replay with it off.
    public var avoidDuplicates: Bool
    /// Which results the model splits into good and bad (see `TPESplit`). `level` (BOHB's rule) by
    /// default, which is also what logs written before the option existed replay with.
    public var split: TPESplit
    /// With `avoidDuplicates`, when no new configuration is found for a trial (a finite space exhausted),
    /// repeat one whose every trial was stopped, or waits for a promotion, in another bracket than the new
    /// trial's (Hyperband's rescue: one chance per bracket), the model's best such candidate or else a
    /// random draw (see `TPESampler.Revisit`); only runs with brackets > 1 have such configurations. On by
    /// default (spec `sampler.revisit`); logs written before it existed replay with it off.
    public var revisitStopped: Bool
    /// With `avoidDuplicates`, what a new trial repeats when no new configuration (nor revisit) is found
    /// (see `TPEExhausted`). `rescue` by default (spec `sampler.exhausted`); logs written before it
    /// existed replay and resume with `draw`, those written before `rescue` existed with their `deepen`.
    public var exhausted: TPEExhausted

    /// The defaults: random_fraction 0.33, min_points = parameters + 2, 64 candidates, γ = 0.15,
    /// bandwidth factor 3, bandwidth floor 0.03, at most 128 kernels per density, split by level,
    /// duplicates avoided, revisits, repeats that deepen the rungs (promotion) or rescue stopped
    /// configurations (stopping).
    public init(
        randomFraction: Double = 0.33, minPoints: Int? = nil, candidates: Int = 64, gamma: Double = 0.15,
        minGood: Int? = nil, bandwidthFactor: Double = 3, minBandwidth: Double = 0.03, maxKernels: Int = 128,
        minDistance: Double = 0, avoidDuplicates: Bool = true, split: TPESplit = .level, revisitStopped: Bool = true,
        exhausted: TPEExhausted = .rescue
    ) {
        self.exhausted = exhausted
        self.revisitStopped = revisitStopped
        self.split = split
        self.avoidDuplicates = avoidDuplicates
        self.minDistance = minDistance
        self.minGood = minGood
        self.randomFraction = randomFraction
        self.minPoints = minPoints
        self.candidates = candidates
        self.gamma = gamma
        self.bandwidthFactor = bandwidthFactor
        self.minBandwidth = minBandwidth
        self.maxKernels = maxKernels
    }

    /// The first setting out of range, as (spec key, reason), or nil when all are valid.
    public func problem() -> (key: String, message: String)? {
        if !(randomFraction >= 0 && randomFraction <= 1) {
            return ("random_fraction", "must be in [0, 1] (got \(formatShort(randomFraction)))")
        }
        if let m = minPoints, m < 3 || m > 1_000_000 {
            return ("min_points", "must be in [3, 1000000] (got \(m))")
        }
        if candidates < 1 || candidates > 4096 { return ("candidates", "must be in [1, 4096] (got \(candidates))") }
        if !(gamma > 0 && gamma < 1) { return ("gamma", "must be in (0, 1) (got \(formatShort(gamma)))") }
        if let m = minGood, m < 1 || m > 100_000 { return ("min_good", "must be in [1, 100000] (got \(m))") }
        if !(bandwidthFactor >= 1 && bandwidthFactor <= 100) {
            return ("bandwidth_factor", "must be in [1, 100] (got \(formatShort(bandwidthFactor)))")
        }
        if !(minBandwidth > 0 && minBandwidth <= 0.5) {
            return ("min_bandwidth", "must be in (0, 0.5] (got \(formatShort(minBandwidth)))")
        }
        if maxKernels < 2 || maxKernels > 100_000 {
            return ("max_kernels", "must be in [2, 100000] (got \(maxKernels))")
        }
        if !(minDistance >= 0 && minDistance <= 0.5) {
            return ("min_distance", "must be in [0, 0.5] (got \(formatShort(minDistance)))")
        }
        return nil
    }
}

/// Which results a TPE model splits into good and bad once some rung level has `min_points` results.
public enum TPESplit: String, Sendable, Codable, CaseIterable {
    /// BOHB's rule: the results of the highest level with `min_points` results, and only those: its best
    /// ⌈γ·n⌉ are good, the rest bad. Trials stopped below that level, or still without a result, are not
    /// in the model.
    case level
    /// Every trial sampled. The trials with a result rank by the highest level they reached (higher
    /// first), then by their value there, as Optuna's TPE ranks the trials its pruner stopped: the best
    /// ⌈γ·N⌉ of those N are good; the rest, and the trials that have no result yet (as Optuna's "constant
    /// liar" does with running trials), are bad. So the bad density is where the run has already looked
    /// without success, including the configurations the scheduler stopped at low rungs.
    case progress
}

/// Where a new trial's configuration came from.
public enum SampleOrigin: Sendable, Equatable, Codable {
    /// Drawn at random (`space.sample(index:seed:)`): the random sampler, the model's random fraction,
    /// or no rung level had enough results yet.
    case random
    /// Proposed by the model fitted to the `observations` results recorded at rung resource `resource`.
    case model(resource: Int, observations: Int)
    /// The configuration of trial `of` again, chosen once the space was exhausted (`TPEExhausted`).
    case copy(of: Int, why: CopyReason)
}

/// Why an exhausted space's repeat copies the configuration it copies (`TPEExhausted`).
public enum CopyReason: Sendable, Equatable, Codable {
    /// `deepen`: the worst result at the trial's first rung; the copy ranks last there.
    case worst
    /// `rescue`: a pad for the stopped configuration of trial `target`; the copy ranks after it at the
    /// rung that stopped it and stops there, loosening that rung's cutoff.
    case pad(target: Int)
    /// `rescue`: a stopped configuration whose results would now pass every rung it reached, tried again.
    case retry
}

/// What a new trial repeats once no new configuration is found: a finite space (or the objective's
/// canonical configurations) exhausted, no revisit qualifying.
public enum TPEExhausted: String, Sendable, Codable, CaseIterable {
    /// The seed's random draw of the trial's index: repeats spread over the space like random sampling,
    /// so every rung keeps its mix and the same configurations pass it. What logs written before the
    /// option existed replay with.
    case draw
    /// The configuration with the worst result at the new trial's first rung (the latest trial among
    /// equal values). With a deterministic objective a repeat brings no new value, only a rung entry;
    /// this one trains one first-rung resource and ranks last there. Promotion variant (every repeat):
    /// every η such trials let the rung promote one more waiting candidate, whose value at the next rung
    /// (new information) mostly ranks low there and lets that rung promote deeper in turn, so the rest
    /// of the run trains the configurations already seen further, best first, as successive halving
    /// with all the budget it needs would. Stopping variant (repeats of even trial index; the others
    /// take the seed's draw): a copy that stops at the first rung only loosens that rung's cutoff, and
    /// the drawn repeats that now pass it carry new values to the rungs above, loosening them in turn.
    case deepen
    /// Promotion variant: exactly `deepen`. Stopping variant: every repeat works for one stopped
    /// configuration, the *target* (kept until it is repeated or stops being one): while it would stop
    /// again, the repeat copies the trial with the worst result at the highest rung where it would stop
    /// among those whose results pass every rung below (a copy that ranks after it there and stops,
    /// loosening that rung's cutoff); once it would pass, the repeat is the target itself, which trains
    /// further than before. A new target is the stopped configuration that would pass now, if any, else
    /// the one needing the least padding, weighed by the model: the largest p/(cost + next rung's
    /// resource), p the model's probability that it is good and cost the resource of the pads it needs
    /// (see `TPESampler.rescueTrial`). Without such a candidate (or a pad), `deepen`'s rule. Logs written
    /// before it existed keep what they recorded (`deepen` or `draw`).
    case rescue
}
