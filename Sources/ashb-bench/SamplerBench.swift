import ASHA
import Objectives

/// `ashb-bench sampler`: the cost of one model-based (TPE) sample when the scheduler holds many results.
///
/// The space is the digits table's six hyperparameters (three continuous, one integer, two choices).
/// A one-rung scheduler (r = R = 1) records every trial's value at one level, so the model is fitted to
/// every result. The scheduler is filled with `--observations` results (untimed); then `--samples`
/// times a new trial is sampled and its result reported (which makes the next sample refit the model),
/// and the samples are timed: `nextJob()` alone, refit included. `random_fraction` is 0, so every
/// timed sample comes from the model. The random sampler is timed the same way for comparison, and
/// `tpe+curves` is tpe deciding duplicates by the digits table's nearest recorded configuration;
/// `tpe+progress` is tpe with `split: progress` (every trial ranked, refitted at every sample).
struct SamplerBench: OptionsBenchmark {
    var observations = [1_000, 10_000]
    var samples = 1_000
    var repeats = 3

    static var options: [String: BenchOption<Self>] {
        ["--observations": .counts(\.observations), "--samples": .count(\.samples), "--repeats": .count(\.repeats)]
    }

    /// A cheap deterministic value of a configuration (a bowl in the unit scale, with a choice effect).
    static func value(_ config: Configuration) -> Double {
        var v = 0.0
        for entry in config.entries {
            switch entry.value {
            case .double(let d): v += (d - 0.01) * (d - 0.01)
            case .int(let i): v += Double(i % 7) * 0.01
            case .string(let s): v += s == "relu" ? 0 : 0.05
            case .bool: break
            }
        }
        return v
    }

    /// Milliseconds to match a configuration against `recorded` curves (one row each) in the space's scale:
    /// a `curves` trial made for each of `samples` random configurations (best of `repeats`).
    func matchCost(space: SearchSpace, recorded: Int) throws -> (wall: Double, cpu: Double) {
        let names = space.parameters.map(\.name)
        var text = (names + ["resource", "error", "seconds"]).joined(separator: ",") + "\n"
        for i in 0..<recorded {
            let c = space.sample(index: i, seed: 99)
            text += c.entries.map { $0.value.csvField }.joined(separator: ",") + ",1,0.5,1\n"
        }
        let objective = try CurvesObjective(csv: Array(text.utf8), source: "bench.csv", metric: "error")
            .configured(for: space)
        var best = (wall: Double.infinity, cpu: Double.infinity)
        for _ in 0..<repeats {
            let c0 = threadCPUSeconds()
            let t0 = monotonicSeconds()
            for i in 0..<samples { _ = try objective.makeTrial(config: space.sample(index: i, seed: 7), seed: 0) }
            let wall = (monotonicSeconds() - t0) / Double(samples) * 1000
            let cpu = (threadCPUSeconds() - c0) / Double(samples) * 1000
            best = (min(best.wall, wall), min(best.cpu, cpu))
        }
        return best
    }

    func run() throws {
        let space = try RecordCurves.space(DigitsMLPObjective())
        // `tpe+curves`: duplicates decided by the digits table's nearest recorded configuration (600 of
        // them, so at these sizes the table is exhausted and every sample tries all its candidates and
        // redraws: the worst case).
        let table = "benchmarks/digits-mlp-curves.csv.gz"
        let curves = try CurvesObjective(
            csv: QualityBench.readTable(table), source: table, metric: "validation_error"
        ).configured(for: space)
        var rows: [[String]] = []
        var lines: [String] = []
        for n in observations {
            for sampler in ["random", "tpe", "tpe+progress", "tpe+curves"] {
                var best = Double.infinity
                var bestCPU = Double.infinity
                for r in 0..<repeats {
                    let settings = SchedulerSettings(
                        variant: .promotion, minResource: 1, maxResource: 1, seed: UInt64(r + 1),
                        sampler: sampler == "random"
                            ? .random
                            : .tpe(
                                TPESettings(randomFraction: 0, split: sampler == "tpe+progress" ? .progress : .level)))
                    var scheduler = try ASHAScheduler(space: space, settings: settings)
                    if sampler == "tpe+curves" { scheduler.canonicalizeSamples { curves.canonicalConfiguration($0) } }
                    for _ in 0..<n {
                        guard let job = scheduler.nextJob(), let config = scheduler.configuration(of: job.trial) else {
                            throw BenchUsageError(description: "the scheduler gave no job")
                        }
                        _ = scheduler.report(trial: job.trial, resource: 1, value: Self.value(config))
                    }
                    var seconds = 0.0
                    var cpu = 0.0
                    for _ in 0..<samples {
                        let c0 = threadCPUSeconds()
                        let t0 = monotonicSeconds()
                        let job = scheduler.nextJob()
                        seconds += monotonicSeconds() - t0
                        cpu += threadCPUSeconds() - c0
                        guard let job, let config = scheduler.configuration(of: job.trial) else {
                            throw BenchUsageError(description: "the scheduler gave no job")
                        }
                        _ = scheduler.report(trial: job.trial, resource: 1, value: Self.value(config))
                    }
                    best = min(best, seconds / Double(samples) * 1000)
                    bestCPU = min(bestCPU, cpu / Double(samples) * 1000)
                }
                rows.append([sampler, "\(n)", fixed(best, 4), fixed(bestCPU, 4)])
                lines.append(
                    "bench=sampler sampler=\(sampler) observations=\(n) ms_per_sample=\(fixed(best, 4)) "
                        + "cpu_ms_per_sample=\(fixed(bestCPU, 4))")
            }
        }
        let match = try matchCost(space: space, recorded: 10_000)
        rows.append(["curves match", "10000", fixed(match.wall, 4), fixed(match.cpu, 4)])
        lines.append(
            "bench=curves-match recorded=10000 ms_per_match=\(fixed(match.wall, 4)) "
                + "cpu_ms_per_match=\(fixed(match.cpu, 4))")
        print(
            "Sampling cost: digits space (6 parameters), one rung, each sample after a new result (best of \(repeats))")
        printTable(["sampler", "observations", "ms/sample", "CPU ms/sample"], rows)
        print("(curves match: a curves trial made against that many recorded configurations, per configuration)")
        for line in lines { print(line) }
    }
}
