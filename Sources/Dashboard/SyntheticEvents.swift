import ASHA
import Foundation
import RunLog

/// A plausible, deterministic event stream for tests, demos and benchmarks: promotion-based
/// asynchronous Hyperband on a simulated clock, with learning curves, a failure, a kill and a
/// worker change.
public enum SyntheticEvents {
    /// Simulates a run that samples `count` trials on `workers` slots. The stream stops shortly
    /// after the last trial is sampled (jobs still running), or, with `finish`, when no work is
    /// left and the run has ended. The stopping variant trains each trial towards the maximum
    /// resource and stops it at a rung when it is not within the top 1/η.
    public static func demo(
        count: Int, workers: Int = 4, brackets: Int = 1, seed: UInt64 = 42, finish: Bool = false,
        variant: Variant = .promotion
    ) -> [RunEvent] {
        var sim = Simulation(count: count, workers: workers, brackets: brackets, seed: seed, variant: variant)
        sim.run(finish: finish)
        return sim.events
    }

    /// The run description `demo` starts with.
    public static func runInfo(
        workers: Int, brackets: Int, seed: UInt64 = 42, variant: Variant = .promotion
    ) -> RunInfo {
        let settings = SchedulerSettings(
            variant: variant, goal: .minimize, minResource: 1, maxResource: 81, reductionFactor: 3,
            minEarlyStoppingRate: 0, brackets: brackets, seed: seed, maxTrials: nil, maxTotalResource: nil)
        let full = [1, 3, 9, 27, 81]
        let ladders = (0..<brackets).map { Array(full.dropFirst(min($0, full.count - 1))) }
        return RunInfo(
            name: "demo: mlp on digits", objective: "digits-mlp", metric: "loss", goal: .minimize, settings: settings,
            ladders: ladders, workers: workers, maxSeconds: 3600,
            parameters: ["lr", "batch", "dropout", "layers", "optimizer"])
    }
}

/// A small random generator (SplitMix64), so demo streams are the same everywhere.
struct SplitMix: Sendable {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
