import ASHA
import Foundation
import Objectives
import RunLog
import Tuner

/// `ashb-bench quality`: how good the configuration a run recommends is, given a time budget, on a
/// recorded learning-curve table (default `benchmarks/digits-mlp-curves.csv.gz`).
///
/// Each run replays the table with the `curves` objective (nearest recorded configuration, in the
/// space's own scale) on the simulated clock with `--workers` virtual workers; each step costs the
/// recorded seconds. The space is the table's six real hyperparameters (`RecordCurves.space`), so a
/// sampler can learn where good configurations lie. At a budget of B median full trainings (B × the
/// median time of a recorded 81-epoch curve), the run's incumbent is the best value at the highest
/// resource any rung decision has seen by then (the `best` events); its **regret** is the value its
/// configuration reaches at epoch 81 in the table minus the table's best value at epoch 81 (0 = the
/// best configuration recorded). Runs go on to the largest budget; every budget reads the same run.
/// Printed: mean regret over `--seeds` seeds (from `--first-seed`) per sampler × variant × brackets, its
/// standard error, the seeds at zero regret, trials and distinct curves by each budget, where the
/// samples came from, the median final regret of what random draws and model proposals sampled in each
/// budget window (how good the proposals are, apart from what the scheduler makes of them), and
/// `bench=quality` lines.
struct QualityBench: OptionsBenchmark {
    var table = "benchmarks/digits-mlp-curves.csv.gz"
    var seeds = 20
    /// The first seed index: runs use seeds firstSeed+1 … firstSeed+seeds (0: seeds 1…20 by default), so a
    /// setting chosen on one set of seeds can be checked on held-out ones (e.g. `--first-seed 100`).
    var firstSeed = 0
    var workers = 8
    var budgets: [Double] = [1, 2, 4, 8, 16, 32]
    var samplers = ["random", "tpe"]
    var variants = Variant.allCases
    var brackets = [1, 5]
    var neighbors = 1
    /// `curves` (the table) or a synthetic function (`branin`, `hartmann6`): regret f(x) − optimum.
    var objectiveName = "curves"
    var tpe = TPESettings()

    static var options: [String: BenchOption<Self>] {
        [
            "--table": .text(\.table), "--seeds": .count(\.seeds), "--workers": .count(\.workers),
            "--first-seed": .custom { bench, v in
                guard let n = Int(v), n >= 0, n <= 1_000_000 else {
                    throw BenchUsageError(description: "--first-seed: expected an integer in [0, 1000000], got \(v)")
                }
                bench.firstSeed = n
            },
            "--budgets": .numbers(\.budgets),
            "--samplers": .custom { bench, v in
                bench.samplers = v.split(separator: ",").map(String.init)
                for s in bench.samplers where s != "random" && s != "tpe" {
                    throw BenchUsageError(description: "--samplers: unknown sampler \(s)")
                }
            },
            "--variant": .variants(\.variants), "--brackets": .counts(\.brackets),
            "--neighbors": .count(\.neighbors), "--tpe": .custom { $0.tpe = try Self.tpeSettings($1) },
            "--objective": .text(\.objectiveName),
        ]
    }

    /// `key=value,...` over the TPE defaults (keys as in the spec's `sampler:` mapping).
    static func tpeSettings(_ text: String) throws -> TPESettings {
        var tpe = TPESettings()
        for pair in text.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2, kv[0] == "split" {
                guard let split = TPESplit(rawValue: kv[1]) else {
                    throw BenchUsageError(description: "--tpe: split must be level or progress, got \(kv[1])")
                }
                tpe.split = split
                continue
            }
            if kv.count == 2, kv[0] == "exhausted" {
                guard let e = TPEExhausted(rawValue: kv[1]) else {
                    throw BenchUsageError(description: "--tpe: exhausted must be draw, deepen or rescue, got \(kv[1])")
                }
                tpe.exhausted = e
                continue
            }
            guard kv.count == 2, let x = Double(kv[1]) else { throw BenchUsageError(description: "--tpe: bad \(pair)") }
            switch kv[0] {
            case "random_fraction": tpe.randomFraction = x
            case "min_points": tpe.minPoints = Int(x)
            case "min_good": tpe.minGood = Int(x)
            case "candidates": tpe.candidates = Int(x)
            case "gamma": tpe.gamma = x
            case "bandwidth_factor": tpe.bandwidthFactor = x
            case "min_bandwidth": tpe.minBandwidth = x
            case "max_kernels": tpe.maxKernels = Int(x)
            case "min_distance": tpe.minDistance = x
            case "avoid_duplicates": tpe.avoidDuplicates = x != 0
            case "revisit": tpe.revisitStopped = x != 0
            default: throw BenchUsageError(description: "--tpe: unknown key \(kv[0])")
            }
        }
        if let p = tpe.problem() { throw BenchUsageError(description: "--tpe: \(p.key) \(p.message)") }
        return tpe
    }

    /// The table's CSV bytes (a `.gz` file is read through `gzip -dc`).
    static func readTable(_ path: String) throws -> [UInt8] {
        guard path.hasSuffix(".gz") else {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw BenchUsageError(description: "cannot read \(path)")
            }
            return [UInt8](data)
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw BenchUsageError(description: "cannot read \(path): no such file")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchUsageError(description: "gzip -dc \(path) failed (status \(process.terminationStatus))")
        }
        return [UInt8](data)
    }

    struct Cell: Hashable {
        var sampler: String
        var variant: Variant
        var brackets: Int
    }

    /// What a run needs from its objective: the objective, its space, the budget unit and the scoring.
    struct Problem {
        var objective: any Objective
        var space: SearchSpace
        var unit: Double
        var regret: (Configuration) throws -> Double
        var title: String
        /// The recorded curve a configuration replays (curves only), to count distinct ones.
        var identity: ((Configuration) throws -> Configuration)?
    }

    func problem() throws -> Problem {
        if objectiveName != "curves" {
            let function: SyntheticFunction = objectiveName == "branin" ? .branin : .hartmann6
            let objective = try SyntheticObjective(function: function, settings: SyntheticSettings())
            let names = function.coordinates.map(\.name)
            return Problem(
                objective: objective, space: objective.defaultSpace, unit: 81 * SyntheticSettings().costPerUnit,
                regret: { config in function(names.map { config[$0]?.doubleValue ?? 0 }) - function.optimum },
                title: "\(function.name) (regret f(x) − optimum)", identity: nil)
        }
        let digits = try DigitsMLPObjective()
        let space = try RecordCurves.space(digits)
        let base = try CurvesObjective(
            csv: Self.readTable(table), source: table, metric: "validation_error", neighbors: neighbors)
        guard let objective = try base.configured(for: space) as? CurvesObjective else {
            throw BenchUsageError(description: "curves objective did not configure")
        }
        guard let best = objective.bestFinalValue else {
            throw BenchUsageError(description: "\(table): no curve reaches the largest resource")
        }
        let unit = median(objective.fullTrainingSeconds)
        let rules = objective.matchingRules.map { "\($0.column) \($0.rule)" }.joined(separator: ", ")
        return Problem(
            objective: objective, space: space, unit: unit,
            regret: { config in (try objective.finalValue(following: config) ?? .nan) - best },
            title: "\(table), best value at R \(formatShort(best)), median full training \(fixed(unit, 4)) s, "
                + "neighbors \(neighbors); matching: \(rules)",
            identity: { try objective.recordedConfiguration(matching: $0) })
    }

    func run() throws {
        let p = try problem()
        print("Quality: \(p.title); \(workers) workers, \(seeds) seeds (\(firstSeed + 1)…\(firstSeed + seeds))")
        var results: [Cell: [[Double]]] = [:]  // per cell: per seed, regret per budget
        var trialsSeen: [Cell: Int] = [:]
        var distinctSeen: [Cell: Int] = [:]
        var samplingSeconds: [Cell: Double] = [:]
        var order: [Cell] = []
        var runsSeen: [Cell: [Run]] = [:]
        for b in brackets {
            for variant in variants {
                for sampler in samplers {
                    let cell = Cell(sampler: sampler, variant: variant, brackets: b)
                    order.append(cell)
                    for seed in firstSeed..<(firstSeed + seeds) {
                        let t0 = monotonicSeconds()
                        let run = try once(cell, seed: UInt64(seed + 1), p)
                        distinctSeen[cell, default: 0] += run.distinct
                        samplingSeconds[cell, default: 0] += monotonicSeconds() - t0
                        results[cell, default: []].append(run.regrets)
                        trialsSeen[cell, default: 0] += run.trials
                        runsSeen[cell, default: []].append(run)
                    }
                }
            }
        }
        let header =
            ["sampler", "variant", "brackets"] + budgets.map { "\(formatShort($0))x" } + [
                "trials", "distinct", "wall s",
            ]
        printTable(
            header,
            order.map { cell in
                let runs = results[cell] ?? []
                let means = budgets.indices.map { i in mean(runs.map { $0[i] }) }
                return [cell.sampler, cell.variant.rawValue, "\(cell.brackets)"] + means.map { fixed($0, 4) } + [
                    "\((trialsSeen[cell] ?? 0) / max(1, runs.count))",
                    "\((distinctSeen[cell] ?? 0) / max(1, runs.count))",
                    fixed(samplingSeconds[cell] ?? 0, 1),
                ]
            })
        /// One row per cell, one column per budget.
        func perBudget(_ title: String, _ column: (_ cell: Cell, _ budget: Int) -> String) {
            print(title)
            printTable(
                ["sampler", "variant", "brackets"] + budgets.map { "\(formatShort($0))x" },
                order.map { cell in
                    [cell.sampler, cell.variant.rawValue, "\(cell.brackets)"] + budgets.indices.map { column(cell, $0) }
                })
        }
        perBudget("Standard error of each mean (over seeds):") { cell, i in
            fixed(standardError((results[cell] ?? []).map { $0[i] }), 4)
        }
        perBudget("Seeds at zero regret (the table's best configuration recommended) by each budget:") { cell, i in
            let runs = results[cell] ?? []
            return "\(runs.filter { $0[i] == 0 }.count)/\(runs.count)"
        }
        perBudget("Trials sampled / distinct configurations by each budget (mean over seeds):") { cell, i in
            let runs = runsSeen[cell] ?? []
            let n = Double(max(1, runs.count))
            let t = Double(runs.reduce(0) { $0 + $1.trialsBy[i] }) / n
            let d = Double(runs.reduce(0) { $0 + $1.distinctBy[i] }) / n
            return "\(fixed(t, 0))/\(fixed(d, 0))"
        }
        print("Where the samples came from by each budget (share of trials: random draws, models of rung r):")
        for cell in order where cell.sampler == "tpe" {
            let runs = runsSeen[cell] ?? []
            let parts = budgets.indices.map { i -> String in
                var counts: [Int: Int] = [:]
                for run in runs { counts.merge(run.originsBy[i], uniquingKeysWith: +) }
                let total = Double(max(1, counts.values.reduce(0, +)))
                let shares = counts.keys.sorted().map { r in
                    "\(r == 0 ? "random" : "r=\(r)") \(fixed(100 * Double(counts[r] ?? 0) / total, 0))%"
                }
                return "\(formatShort(budgets[i]))x: " + shares.joined(separator: " ")
            }
            print("  \(cell.variant.rawValue) brackets \(cell.brackets): " + parts.joined(separator: "; "))
        }
        print("Median final regret of the configurations sampled in each window up to a budget (random draws / model):")
        printTable(
            ["sampler", "variant", "brackets"] + budgets.map { "\(formatShort($0))x" },
            order.map { cell in
                let runs = runsSeen[cell] ?? []
                return [cell.sampler, cell.variant.rawValue, "\(cell.brackets)"]
                    + budgets.indices.map { i in
                        let medians = (0..<2).map { o -> String in
                            let all = runs.flatMap { $0.sampledRegret[i][o] }.sorted()
                            return all.isEmpty ? "-" : fixed(all[all.count / 2], 4)
                        }
                        return medians.joined(separator: "/")
                    }
            })
        for cell in order {
            let runs = results[cell] ?? []
            let parts = budgets.indices.map { i in
                "regret_\(formatShort(budgets[i]))x=\(fixed(mean(runs.map { $0[i] }), 5))"
                    + " se_\(formatShort(budgets[i]))x=\(fixed(standardError(runs.map { $0[i] }), 5))"
            }
            print(
                "bench=quality sampler=\(cell.sampler) variant=\(cell.variant.rawValue) brackets=\(cell.brackets) "
                    + "seeds=\(runs.count) workers=\(workers) " + parts.joined(separator: " "))
        }
    }

    private func mean(_ xs: [Double]) -> Double {
        xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count)
    }

    /// The standard error of the mean: the sample standard deviation over √n (NaN below two values).
    private func standardError(_ xs: [Double]) -> Double {
        guard xs.count >= 2 else { return .nan }
        let m = mean(xs)
        let variance = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
        return (variance / Double(xs.count)).squareRoot()
    }

    /// One run: regret per budget, and the number of trials it sampled.
    private func once(_ cell: Cell, seed: UInt64, _ p: Problem) throws -> Run {
        let settings = SchedulerSettings(
            variant: cell.variant, minResource: 1, maxResource: 81, reductionFactor: 3, brackets: cell.brackets,
            seed: seed, sampler: cell.sampler == "tpe" ? .tpe(tpe) : .random)
        let recorder = IncumbentRecorder()
        let tuner = try Tuner(
            objective: p.objective, space: p.space, settings: settings,
            options: TunerOptions(name: "quality", workers: workers, maxSeconds: (budgets.max() ?? 1) * p.unit),
            backend: .simulated, sinks: [recorder])
        _ = tuner.run()
        let (configs, bests, sampledAt) = recorder.snapshot()
        var regrets: [Double] = []
        var scores: [TrialID: Double] = [:]
        for budget in budgets {
            guard let incumbent = bests.last(where: { $0.time <= budget * p.unit }) else {
                regrets.append(.nan)
                continue
            }
            let t = incumbent.trial
            if scores[t] == nil, let config = configs[t] { scores[t] = try p.regret(config) }
            regrets.append(scores[t] ?? .nan)
        }
        // Trials sampled and distinct configurations (recorded curves for `curves`) by each budget.
        var distinct = Set<Configuration>()
        var trialsBy = [Int](repeating: 0, count: budgets.count)
        var distinctBy = [Int](repeating: 0, count: budgets.count)
        for (t, time) in sampledAt.sorted(by: { $0.key < $1.key }) {
            guard let config = configs[t] else { continue }
            distinct.insert(try p.identity?(config) ?? config)
            for (i, budget) in budgets.enumerated() where time <= budget * p.unit {
                trialsBy[i] += 1
                // Trials are sampled in time order, so the set holds exactly the ones sampled by then.
                distinctBy[i] = distinct.count
            }
        }
        // The final regret of what was sampled in each window (previous budget, budget], by origin: how good
        // the sampler's proposals are, apart from what the scheduler makes of them.
        var sampledRegret = [[[Double]]](repeating: [[], []], count: budgets.count)
        let modelled = recorder.modelledTrials()
        for (t, time) in sampledAt {
            guard let config = configs[t], let i = budgets.firstIndex(where: { time <= $0 * p.unit }) else { continue }
            sampledRegret[i][(modelled[t] ?? 0) == 0 ? 0 : 1].append(try p.regret(config))
        }
        return Run(
            regrets: regrets, trials: configs.count, distinct: distinct.count, trialsBy: trialsBy,
            distinctBy: distinctBy, originsBy: budgets.map { recorder.origins(by: $0 * p.unit) },
            sampledRegret: sampledRegret)
    }

    struct Run {
        var regrets: [Double]
        var trials: Int
        var distinct: Int
        var trialsBy: [Int]
        var distinctBy: [Int]
        var originsBy: [[Int: Int]]
        /// Per budget window: the final regrets of the random draws, then of the model proposals.
        var sampledRegret: [[[Double]]]
    }
}

/// Keeps what the quality benchmark needs from a run's events: configurations and the incumbent's history.
final class IncumbentRecorder: EventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var configs: [TrialID: Configuration] = [:]
    private var bests: [(time: Double, trial: TrialID)] = []
    private var sampledAt: [TrialID: Double] = [:]
    /// Per trial: 0 for a random draw, else the rung resource of the model that proposed it.
    private(set) var modelled: [TrialID: Int] = [:]

    func receive(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event.body {
        case .trialSampled(let t, _, let config, let detail):
            configs[t] = config
            sampledAt[t] = event.time
            if case .model(let resource, _)? = detail.origin { modelled[t] = resource } else { modelled[t] = 0 }
        case .newBest(let t, _, _): bests.append((event.time, t))
        default: break
        }
    }

    func snapshot() -> ([TrialID: Configuration], [(time: Double, trial: TrialID)], [TrialID: Double]) {
        lock.lock()
        defer { lock.unlock() }
        return (configs, bests, sampledAt)
    }

    /// Per trial: 0 for a random draw, else the rung resource of the model that proposed it.
    func modelledTrials() -> [TrialID: Int] {
        lock.lock()
        defer { lock.unlock() }
        return modelled
    }

    /// How many trials sampled by `time` came from each source (0: random; else the modelled rung resource).
    func origins(by time: Double) -> [Int: Int] {
        lock.lock()
        defer { lock.unlock() }
        var counts: [Int: Int] = [:]
        for (t, at) in sampledAt where at <= time { counts[modelled[t] ?? 0, default: 0] += 1 }
        return counts
    }
}
