// The scheduler's public vocabulary. Shapes agreed between the parts; the scheduler owns them.

/// A trial's identity: the index of its configuration in the seeded sampling sequence (0, 1, 2, ...).
public typealias TrialID = Int

/// Which flavour of ASHA decides.
public enum Variant: String, Sendable, CaseIterable {
    /// The paper's algorithm: a job trains a trial up to its next rung and ends there; a free worker
    /// promotes the best not-yet-promoted configuration among the top 1/η of a rung, or starts a new one.
    case promotion
    /// What Ray Tune and Optuna ship: a trial trains towards the maximum resource and is stopped at a
    /// rung when its value is not within the top 1/η of the values recorded there.
    case stopping
}

/// Settings of the scheduler; validated by `ASHAScheduler.init`.
public struct SchedulerSettings: Sendable, Equatable {
    /// Promotion-based (the paper) or stopping-based (Ray Tune, Optuna) ASHA.
    public var variant: Variant
    /// Whether smaller or larger values of the metric are better.
    public var goal: Goal
    /// Minimum resource r (resource of the lowest rung of bracket 0 when s = 0).
    public var minResource: Int
    /// Maximum resource R; the top rung is clamped to it.
    public var maxResource: Int
    /// Reduction factor η ≥ 2.
    public var reductionFactor: Int
    /// Minimum early-stopping rate s ≥ 0.
    public var minEarlyStoppingRate: Int
    /// Number of brackets for asynchronous Hyperband (1 = plain ASHA).
    public var brackets: Int
    /// Seed of sampling and bracket choice.
    public var seed: UInt64
    /// Budget: the most configurations ever sampled (nil = unbounded).
    public var maxTrials: Int?
    /// Budget: the most resource units trained in total, across all trials (nil = unbounded).
    public var maxTotalResource: Int?
    /// How new configurations are chosen (random, or model-based).
    public var sampler: SamplerSettings = .random

    /// Settings with the paper's defaults: promotion, minimize, r = 1, R = 81, η = 3, s = 0, one bracket,
    /// seed 0, no budget, random sampling.
    public init(
        variant: Variant = .promotion, goal: Goal = .minimize, minResource: Int = 1, maxResource: Int = 81,
        reductionFactor: Int = 3, minEarlyStoppingRate: Int = 0, brackets: Int = 1, seed: UInt64 = 0,
        maxTrials: Int? = nil, maxTotalResource: Int? = nil, sampler: SamplerSettings = .random
    ) {
        self.sampler = sampler
        self.variant = variant
        self.goal = goal
        self.minResource = minResource
        self.maxResource = maxResource
        self.reductionFactor = reductionFactor
        self.minEarlyStoppingRate = minEarlyStoppingRate
        self.brackets = brackets
        self.seed = seed
        self.maxTrials = maxTrials
        self.maxTotalResource = maxTotalResource
    }
}

/// Work the scheduler hands to a free worker: train `trial` from `fromResource` up to `toResource`.
public struct Job: Sendable, Equatable {
    /// The trial to train.
    public var trial: TrialID
    /// The trial's bracket.
    public var bracket: Int
    /// Index of the rung this job trains towards (its resource is `toResource`).
    public var rung: Int
    /// The resource the trial was trained to before this job (0 for a new trial).
    public var fromResource: Int
    /// The resource at which the job ends (promotion variant: the target rung's level; stopping
    /// variant: R, unless a report is answered with `.stop`).
    public var toResource: Int
    /// True when the configuration was sampled for this job (a new trial); false for a promotion.
    public var isNew: Bool
    /// For a promotion, the decision that promoted the trial (its rank and the rung's cutoff).
    public var promotion: Decision?

    /// A job, field by field.
    public init(
        trial: TrialID, bracket: Int, rung: Int, fromResource: Int, toResource: Int, isNew: Bool,
        promotion: Decision? = nil
    ) {
        self.trial = trial
        self.bracket = bracket
        self.rung = rung
        self.fromResource = fromResource
        self.toResource = toResource
        self.isNew = isNew
        self.promotion = promotion
    }
}

/// What the scheduler decided about a trial at a rung, and why.
public struct Decision: Sendable, Equatable {
    /// What happens to the trial.
    public enum Action: String, Sendable, CaseIterable {
        /// Stopping variant: the trial goes on training towards the next rung.
        case `continue`
        /// Stopping variant: the trial is stopped at this rung. Both variants: the value was not finite
        /// (reason `nonFiniteValue`), so the trial ends and is never promoted.
        case stop
        /// Promotion variant: the trial's job ended at this rung; it waits to be promoted.
        case wait
        /// Promotion variant: the trial is promoted from this rung to the next.
        case promote
        /// The trial reached the maximum resource; it is complete.
        case complete
    }

    /// The rule that decided.
    public enum Reason: String, Sendable, CaseIterable {
        /// The value is within the top 1/η of the rung. Stopping variant: not worse than the cutoff (a value
        /// equal to the cutoff continues). Promotion variant: rank ≤ ⌊n/η⌋ (ties broken by trial id).
        case withinCutoff
        /// The value is worse than the rung's cutoff.
        case worseThanCutoff
        /// The rung holds fewer than η values, so there is no cutoff yet.
        case tooFewEntries
        /// The value is NaN or infinite, which ranks worst.
        case nonFiniteValue
        /// The rung is the bracket's top rung.
        case topRung
    }

    /// The trial decided about.
    public var trial: TrialID
    /// The trial's bracket.
    public var bracket: Int
    /// Rung index within the bracket.
    public var rung: Int
    /// The rung's resource level.
    public var resource: Int
    /// The trial's value recorded at this rung.
    public var value: Double
    /// The rung's cutoff when the decision was taken, this entry included: the value of rank ⌊n/η⌋, or
    /// the worst finite value when that one is not finite; nil while the rung has fewer than η entries or
    /// no finite value.
    public var cutoff: Double?
    /// The trial's 1-based rank among the rung's entries (by value, better first, then by trial id, lower
    /// first; non-finite values last).
    public var rank: Int
    /// How many entries the rung held, this trial included.
    public var rungSize: Int
    /// What happens to the trial.
    public var action: Action
    /// Why.
    public var reason: Reason

    /// A decision, field by field.
    public init(
        trial: TrialID, bracket: Int, rung: Int, resource: Int, value: Double, cutoff: Double?, rank: Int,
        rungSize: Int, action: Action, reason: Reason
    ) {
        self.trial = trial
        self.bracket = bracket
        self.rung = rung
        self.resource = resource
        self.value = value
        self.cutoff = cutoff
        self.rank = rank
        self.rungSize = rungSize
        self.action = action
        self.reason = reason
    }
}
