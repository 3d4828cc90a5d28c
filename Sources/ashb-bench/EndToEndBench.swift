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
struct EndToEndBench {
    var variants = Variant.allCases
    var workers = 2
    var trials: Int?
    var minSeconds = 2.0
    var repeats = 3

    init(arguments: [String]) throws {
        var variants = self.variants
        var workers = self.workers
        var trials = self.trials
        var minSeconds = self.minSeconds
        var repeats = self.repeats
        try parseOptions(
            arguments,
            [
                "--variant": { variants = try variantList($0) },
                "--workers": { workers = try positiveInt($0, "--workers") },
                "--trials": { trials = try positiveInt($0, "--trials") },
                "--seconds": { minSeconds = try positiveDouble($0, "--seconds") },
                "--repeats": { repeats = try positiveInt($0, "--repeats") },
            ])
        self.variants = variants
        self.workers = workers
        self.trials = trials
        self.minSeconds = minSeconds
        self.repeats = repeats
    }

    struct Measurement {
        var variant: Variant
        var trials: Int
        var reports: Int
        var events: Int
        var logBytes: Int
        var seconds: Double
        var endReason: String
        var reportsPerSecond: Double { Double(reports) / seconds }
    }

    func run() throws {
        var results: [Measurement] = []
        for variant in variants {
            var n = trials ?? 20_000
            if trials == nil {
                // Calibrate: scale the trial count so that a run lasts minSeconds with a margin.
                let probe = try once(variant: variant, trials: n, seed: 99)
                n = max(n, Int((Double(n) * minSeconds * 1.8 / probe.seconds).rounded(.up)))
            }
            for r in 0..<repeats {
                results.append(try once(variant: variant, trials: n, seed: UInt64(r + 1)))
            }
        }
        print("Tuner end to end: zero-cost objective, Dispatch pool, \(workers) workers, log on, η = 3, R = 81")
        printTable(
            ["variant", "trials", "reports", "events", "log MiB", "seconds", "reports/s", "µs/report", "end"],
            results.map { m in
                [
                    m.variant.rawValue, "\(m.trials)", "\(m.reports)", "\(m.events)",
                    fixed(Double(m.logBytes) / 1_048_576, 1), fixed(m.seconds, 3), "\(Int(m.reportsPerSecond))",
                    fixed(1e6 / m.reportsPerSecond, 2), m.endReason,
                ]
            })
        for m in results {
            print(
                "bench=e2e variant=\(m.variant.rawValue) workers=\(workers) trials=\(m.trials) reports=\(m.reports) "
                    + "seconds=\(fixed(m.seconds, 4)) reports_per_s=\(Int(m.reportsPerSecond))")
        }
    }

    func once(variant: Variant, trials: Int, seed: UInt64) throws -> Measurement {
        let objective = try ObjectiveCatalog.make(name: "zero", options: ["max_resource": .int(81)])
        let settings = SchedulerSettings(
            variant: variant, minResource: 1, maxResource: 81, reductionFactor: 3, seed: seed, maxTrials: trials)
        let log = try temporaryLog("e2e", seed: seed)
        let counter = EventCounter()
        let tuner = try Tuner(
            objective: objective, space: objective.defaultSpace, settings: settings,
            options: TunerOptions(name: "e2e", workers: workers), backend: .dispatch, sinks: [log, counter])
        let t0 = monotonicSeconds()
        tuner.start()
        let summary = tuner.waitUntilEnded()
        log.close()
        let seconds = monotonicSeconds() - t0
        let bytes = discard(log)
        return Measurement(
            variant: variant, trials: trials, reports: summary.reports, events: counter.count, logBytes: bytes,
            seconds: seconds, endReason: summary.endReason ?? "?")
    }
}

/// Counts the events it receives (the tuner calls sinks one at a time, under its lock).
final class EventCounter: EventSink, @unchecked Sendable {
    private(set) var count = 0
    func receive(_ event: RunEvent) { count += 1 }
}
