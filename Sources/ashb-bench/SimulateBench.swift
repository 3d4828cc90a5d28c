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
struct SimulateBench {
    var variants = Variant.allCases
    var workers = 8
    var trials = 100_000
    var repeats = 3

    init(arguments: [String]) throws {
        var variants = self.variants
        var workers = self.workers
        var trials = self.trials
        var repeats = self.repeats
        try parseOptions(
            arguments,
            [
                "--variant": { variants = try variantList($0) },
                "--workers": { workers = try positiveInt($0, "--workers") },
                "--trials": { trials = try positiveInt($0, "--trials") },
                "--repeats": { repeats = try positiveInt($0, "--repeats") },
            ])
        self.variants = variants
        self.workers = workers
        self.trials = trials
        self.repeats = repeats
    }

    struct Measurement {
        var variant: Variant
        var reports: Int
        var events: Int
        var logBytes: Int
        var seconds: Double
        var simulatedSeconds: Double
        var endReason: String
    }

    func run() throws {
        var results: [Measurement] = []
        for variant in variants {
            for r in 0..<repeats {
                results.append(try once(variant: variant, seed: UInt64(r + 1)))
            }
        }
        print("Simulated clock: branin (cost 0.01 s, σ 0.5), \(trials) trials, \(workers) virtual workers, log on")
        printTable(
            ["variant", "trials", "reports", "events", "log MiB", "simulated s", "seconds", "trials/s", "end"],
            results.map { m in
                [
                    m.variant.rawValue, "\(trials)", "\(m.reports)", "\(m.events)",
                    fixed(Double(m.logBytes) / 1_048_576, 1), fixed(m.simulatedSeconds, 1), fixed(m.seconds, 3),
                    "\(Int(Double(trials) / m.seconds))", m.endReason,
                ]
            })
        for m in results {
            print(
                "bench=simulate variant=\(m.variant.rawValue) trials=\(trials) workers=\(workers) events=\(m.events) "
                    + "seconds=\(fixed(m.seconds, 4)) trials_per_s=\(Int(Double(trials) / m.seconds))")
        }
    }

    func once(variant: Variant, seed: UInt64) throws -> Measurement {
        let objective = try ObjectiveCatalog.make(
            name: "branin", options: ["cost": .double(0.01), "sigma": .double(0.5), "max_resource": .int(81)])
        let settings = SchedulerSettings(
            variant: variant, minResource: 1, maxResource: 81, reductionFactor: 3, seed: seed, maxTrials: trials)
        let log = try temporaryLog("simulate", seed: seed)
        let counter = EventCounter()
        let tuner = try Tuner(
            objective: objective, space: objective.defaultSpace, settings: settings,
            options: TunerOptions(name: "simulate", workers: workers), backend: .simulated, sinks: [log, counter])
        let t0 = monotonicSeconds()
        let summary = tuner.run()
        log.close()
        let seconds = monotonicSeconds() - t0
        let bytes = discard(log)
        return Measurement(
            variant: variant, reports: summary.reports, events: counter.count, logBytes: bytes, seconds: seconds,
            simulatedSeconds: summary.seconds, endReason: summary.endReason ?? "?")
    }
}
