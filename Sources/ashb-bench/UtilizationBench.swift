import ASHA
import Objectives
import RunLog
import Tuner

/// `ashb-bench utilization`: how much of the Dispatch pool's time goes to training when steps take
/// about a millisecond, or twenty.
///
/// The objective is `lognormal-sleep` (each step really sleeps median · e^(σz), σ = 0.5) wrapped so that
/// every `step()` call's wall duration is summed apart from the tuner (`BusyMeter`). Utilization is that
/// sum over workers × wall time, the wall time running from `Tuner.start()` until the run has ended
/// (a time budget of `--seconds` stops it; the jobs running then finish their step, so the drain counts
/// against utilization). The tuner's own `RunSummary.utilization` (job time over slot time) is printed
/// beside it. ASHA promotion variant, η = 3, R = 81, trials unbounded, the log on.
struct UtilizationBench: OptionsBenchmark {
    var medians = [0.001, 0.020]
    var workers = 2
    var seconds = 4.0
    var sigma = 0.5
    var repeats = 3

    static var options: [String: BenchOption<Self>] {
        [
            "--median-ms": .custom { $0.medians = try positiveDoubles($1, "--median-ms").map { $0 / 1000 } },
            "--workers": .count(\.workers), "--seconds": .number(\.seconds), "--sigma": .number(\.sigma),
            "--repeats": .count(\.repeats),
        ]
    }

    struct Measurement {
        var median: Double
        var steps: Int
        var busy: Double
        var wall: Double
        var utilization: Double
        var tunerUtilization: Double
    }

    func run() throws {
        var results: [Measurement] = []
        for m in medians {
            results += try repeated(repeats) { try once(median: m, seed: $0) }
        }
        printResults(
            "Pool utilization: lognormal-sleep (σ \(fixed(sigma, 2))), \(workers) workers, "
                + "\(fixed(seconds, 1)) s budget, promotion, log on",
            ["median ms", "steps", "busy s", "wall s", "utilization %", "tuner's %", "idle µs/step"],
            results,
            row: { m in
                [
                    fixed(m.median * 1000, 1), "\(m.steps)", fixed(m.busy, 3), fixed(m.wall, 3),
                    fixed(m.utilization * 100, 2), fixed(m.tunerUtilization * 100, 2),
                    fixed((Double(workers) * m.wall - m.busy) / Double(max(1, m.steps)) * 1e6, 1),
                ]
            },
            line: { m in
                benchLine(
                    "utilization",
                    [
                        "median_ms": fixed(m.median * 1000, 1), "workers": "\(workers)",
                        "utilization": fixed(m.utilization, 4), "tuner_utilization": fixed(m.tunerUtilization, 4),
                        "seconds": fixed(m.wall, 3),
                    ])
            })
    }

    func once(median: Double, seed: UInt64) throws -> Measurement {
        let inner = try ObjectiveCatalog.make(
            name: "lognormal-sleep",
            options: [
                "median_seconds": .double(median), "sigma": .double(sigma), "sleep": .bool(true),
                "max_resource": .int(81),
            ])
        let meter = BusyMeter()
        let settings = SchedulerSettings(
            variant: .promotion, minResource: 1, maxResource: 81, reductionFactor: 3, seed: seed)
        let run = try LoggedRun(
            "utilization", objective: TimedObjective(inner: inner, meter: meter), settings: settings,
            options: TunerOptions(name: "utilization", workers: workers, maxSeconds: seconds), backend: .dispatch)
        return Measurement(
            median: median, steps: meter.count, busy: meter.seconds, wall: run.seconds,
            utilization: meter.seconds / (Double(workers) * run.seconds), tunerUtilization: run.summary.utilization)
    }
}
