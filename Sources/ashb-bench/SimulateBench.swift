import ASHA
import Objectives
import RunLog
import Tuner

/// `ashb-bench simulate`: a whole run on the simulated clock with the log on, measuring wall seconds
/// for a large number of trials.
///
/// The objective is `branin` with a declared step cost of 0.01 s and log-normal spread σ = 0.5, so the
/// virtual workers finish their steps out of order; η = 3, R = 81, r = 1, one bracket. The time covers
/// the run (`Tuner.run()`) and closing its log.
struct SimulateBench: OptionsBenchmark {
    var variants = Variant.allCases
    var workers = 8
    var trials = 100_000
    var repeats = 3

    static var options: [String: BenchOption<Self>] {
        [
            "--variant": .variants(\.variants), "--workers": .count(\.workers), "--trials": .count(\.trials),
            "--repeats": .count(\.repeats),
        ]
    }

    func run() throws {
        var results: [VariantRun] = []
        for variant in variants {
            results += try repeated(repeats) { try once(variant: variant, seed: $0) }
        }
        printResults(
            "Simulated clock: branin (cost 0.01 s, σ 0.5), \(trials) trials, \(workers) virtual workers, log on",
            ["variant", "trials", "reports", "events", "log MiB", "simulated s", "seconds", "trials/s", "end"],
            results,
            row: { m in
                [
                    m.variant.rawValue, "\(m.trials)", "\(m.run.summary.reports)", "\(m.run.events)", m.run.logMiB,
                    fixed(m.run.summary.seconds, 1), fixed(m.run.closedSeconds, 3), "\(trialsPerSecond(m))",
                    m.run.endReason,
                ]
            },
            line: { m in
                benchLine(
                    "simulate",
                    [
                        "variant": m.variant.rawValue, "trials": "\(m.trials)", "workers": "\(workers)",
                        "events": "\(m.run.events)", "seconds": fixed(m.run.closedSeconds, 4),
                        "trials_per_s": "\(trialsPerSecond(m))",
                    ])
            })
    }

    /// Trials per second of wall time, the log flushed.
    func trialsPerSecond(_ m: VariantRun) -> Int { Int(Double(m.trials) / m.run.closedSeconds) }

    func once(variant: Variant, seed: UInt64) throws -> VariantRun {
        let objective = try ObjectiveCatalog.make(
            name: "branin", options: ["cost": .double(0.01), "sigma": .double(0.5), "max_resource": .int(81)])
        let settings = SchedulerSettings(
            variant: variant, minResource: 1, maxResource: 81, reductionFactor: 3, seed: seed, maxTrials: trials)
        let run = try LoggedRun(
            "simulate", objective: objective, settings: settings,
            options: TunerOptions(name: "simulate", workers: workers), backend: .simulated)
        return VariantRun(variant: variant, trials: trials, run: run)
    }
}
