/// How a synthetic function is made multi-fidelity, noisy, slow or failing. All randomness is
/// drawn from the trial's seed, so a trial's curve, step durations and failure are reproducible.
///
/// The value at resource r ≤ R (R = `maxResource`) is
///
///     f(x) + bias · (1 + |f(x)|) · (e^(−r/τx) − e^(−R/τx)) / (1 − e^(−R/τx)) + noise · z(seed, r)
///
/// where τx = τ · (1 + tauSpread · (2u(x) − 1)) and u(x) ∈ [0, 1) is a fixed hash of the
/// coordinates (so different configurations approach their limit at different rates and curves
/// can cross), and z(seed, r) is a standard normal drawn from the trial's seed and r. The bias is
/// exactly 0 at r ≥ R, so the noiseless value at the maximum resource is f(x).
public struct SyntheticSettings: Sendable, Hashable {
    /// R: the resource where the bias vanishes, and the objective's `maxResource`.
    public var maxResource: Int = 81
    /// Median seconds per resource unit, declared in `Step.cost` (and slept when `sleep`).
    public var costPerUnit: Double = 0.01
    /// Spread of the step duration: each step lasts costPerUnit · e^(sigma·z) (log-normal with
    /// median costPerUnit; 0 makes every step last exactly costPerUnit).
    public var sigma: Double = 0
    /// Really sleep each step's duration in `step()` (for benchmarks on a real worker pool).
    public var sleep: Bool = false
    /// Standard deviation of the Gaussian noise added to each value.
    public var noise: Double = 0
    /// Relative size of the low-fidelity bias (0: every resource reports f(x)).
    public var bias: Double = 1
    /// τ, the typical resource scale of the approach; nil means maxResource / 8.
    public var tau: Double? = nil
    /// Relative spread of τ across configurations, in [0, 1).
    public var tauSpread: Double = 0.5
    /// Probability that a trial throws at a seeded step (its `step()` fails there).
    public var failRate: Double = 0
    /// Probability that a trial reports NaN from a seeded step on (a diverged trial).
    public var nanRate: Double = 0

    /// Settings with the defaults above.
    public init() {}
}
