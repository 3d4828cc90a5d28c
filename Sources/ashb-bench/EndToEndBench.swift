import ASHA
import Objectives
import RunLog
import Tuner

/// `ashb-bench e2e`: the whole tuner on the real Dispatch pool with the zero-cost objective and the
/// log on, measuring metric reports per second: the tuner's own overhead per training step (the
/// scheduler, the run state behind its lock, event encoding, the log).
///
/// η = 3, R = 81, r = 1, one bracket. A first run of `--calibrate` trials sets the trial count so that a
/// run lasts at least `--seconds` (unless `--trials` fixes it); then each variant runs `--repeats` times.
/// The time is from `Tuner.start()` until the run has ended and its log is closed (flushed).
struct EndToEndBench: OptionsBenchmark {
    var variants = Variant.allCases
    var workers = 2
    var trials: Int?
    var minSeconds = 2.0
    var repeats = 3

    static var options: [String: BenchOption<Self>] {
        [
            "--variant": .variants(\.variants), "--workers": .count(\.workers),
            "--trials": .optionalCount(\.trials),
            "--seconds": .number(\.minSeconds), "--repeats": .count(\.repeats),
        ]
    }

    func run() throws {
        var results: [VariantRun] = []
        for variant in variants {
            var n = trials ?? 20_000
            if trials == nil {
                // Calibrate: scale the trial count so that a run lasts minSeconds with a margin.
                let probe = try once(variant: variant, trials: n, seed: 99)
                n = max(n, Int((Double(n) * minSeconds * 1.8 / probe.run.closedSeconds).rounded(.up)))
            }
            results += try repeated(repeats) { try once(variant: variant, trials: n, seed: $0) }
        }
        printResults(
            "Tuner end to end: zero-cost objective, Dispatch pool, \(workers) workers, log on, η = 3, R = 81",
            ["variant", "trials", "reports", "events", "log MiB", "seconds", "reports/s", "µs/report", "end"],
            results,
            row: { m in
                [
                    m.variant.rawValue, "\(m.trials)", "\(m.run.summary.reports)", "\(m.run.events)", m.run.logMiB,
                    fixed(m.run.closedSeconds, 3), "\(Int(reportsPerSecond(m)))", fixed(1e6 / reportsPerSecond(m), 2),
                    m.run.endReason,
                ]
            },
            line: { m in
                benchLine(
                    "e2e",
                    [
                        "variant": m.variant.rawValue, "workers": "\(workers)", "trials": "\(m.trials)",
                        "reports": "\(m.run.summary.reports)", "seconds": fixed(m.run.closedSeconds, 4),
                        "reports_per_s": "\(Int(reportsPerSecond(m)))",
                    ])
            })
    }

    /// Metric reports per second of wall time, the log flushed.
    func reportsPerSecond(_ m: VariantRun) -> Double { Double(m.run.summary.reports) / m.run.closedSeconds }

    func once(variant: Variant, trials: Int, seed: UInt64) throws -> VariantRun {
        let objective = try ObjectiveCatalog.make(name: "zero", options: ["max_resource": .int(81)])
        let settings = SchedulerSettings(
            variant: variant, minResource: 1, maxResource: 81, reductionFactor: 3, seed: seed, maxTrials: trials)
        let run = try LoggedRun(
            "e2e", objective: objective, settings: settings, options: TunerOptions(name: "e2e", workers: workers),
            backend: .dispatch)
        return VariantRun(variant: variant, trials: trials, run: run)
    }
}
