import ASHA

/// `ashb-bench scheduler`: feeds synthetic learning curves through the scheduler as a pool of a few
/// simulated workers would, and measures reports (scheduler decisions) per second.
///
/// A trial's value at resource r is `0.5·q + (0.5 + q)/√r + 0.05·(noise − ½)`, with its quality q and
/// the noise drawn from `SplitMix64.bits` of (trial, resource): deterministic, and a good trial stays
/// good. Promotion variant: every job makes one report at its target rung. Stopping variant: a job
/// reports at each rung level of its bracket in turn until the scheduler stops or completes it. The
/// worker whose job reports next is drawn at random, so jobs finish out of order. The timed loop holds
/// `nextJob()` calls as well as reports; small sizes are repeated until they cover 10^6 trials. Each
/// measurement is taken `--best-of` times (default 3) and the fastest is kept, since the machine may be
/// shared.
struct SchedulerBench: OptionsBenchmark {
    var sizes = [1_000, 10_000, 100_000, 1_000_000]
    var variants = Variant.allCases
    var workers = 4
    var bestOf = 3

    static var options: [String: BenchOption<Self>] {
        [
            "--trials": .counts(\.sizes), "--variant": .variants(\.variants), "--best-of": .count(\.bestOf),
            "--workers": .count(\.workers),
        ]
    }

    struct Measurement {
        var variant: Variant
        var trials: Int
        var repeats: Int
        var reports: Int
        var seconds: Double
        var completed: Int
        var reportsPerSecond: Double { Double(reports) / seconds }
    }

    func run() throws {
        var results: [Measurement] = []
        for variant in variants {
            for n in sizes {
                var best: Measurement?
                for _ in 0..<bestOf {
                    let m = try measure(variant: variant, trials: n)
                    if best.map({ m.seconds < $0.seconds }) ?? true { best = m }
                }
                results.append(best!)
            }
        }
        printResults(
            "ASHA scheduler, η = 3, R = 81, r = 1, one bracket, \(workers) simulated workers, best of \(bestOf)",
            ["variant", "trials", "repeats", "reports", "seconds", "reports/s", "ns/report", "completed"], results,
            row: { m in
                [
                    m.variant.rawValue, "\(m.trials)", "\(m.repeats)", "\(m.reports)", fixed(m.seconds, 3),
                    "\(Int(m.reportsPerSecond))", fixed(1e9 / m.reportsPerSecond, 1), "\(m.completed / m.repeats)",
                ]
            },
            line: { m in
                benchLine(
                    "scheduler",
                    [
                        "variant": m.variant.rawValue, "trials": "\(m.trials)", "reports": "\(m.reports)",
                        "seconds": fixed(m.seconds, 4), "reports_per_s": "\(Int(m.reportsPerSecond))",
                    ])
            })
        if sizes.contains(where: { $0 >= 100_000 }) { printMemoryCost(results) }
    }

    /// Prints the host's random-read latency in cache and in main memory, measured right after the runs,
    /// and per variant how much more a report costs at the largest size than at the smallest, also in
    /// reads of main memory: the figure that the host's memory, not the scheduler, sets.
    func printMemoryCost(_ results: [Measurement]) {
        let cached = MemoryLatency.nanoseconds(bytes: 4 << 20)
        let main = MemoryLatency.nanoseconds(bytes: 64 << 20)
        print(
            "host memory (pointer chase, huge pages): \(fixed(cached, 1)) ns a random read within 4 MiB, "
                + "\(fixed(main, 1)) ns within 64 MiB")
        for variant in variants {
            let rows = results.filter { $0.variant == variant }
            guard let small = rows.min(by: { $0.trials < $1.trials }),
                let large = rows.max(by: { $0.trials < $1.trials }),
                large.trials > small.trials
            else { continue }
            let extra = 1e9 / large.reportsPerSecond - 1e9 / small.reportsPerSecond
            print(
                "\(variant.rawValue): \(large.trials) trials cost \(fixed(small.reportsPerSecond / large.reportsPerSecond, 2))× "
                    + "\(small.trials) (\(fixed(extra, 1)) ns a report more: \(fixed(extra / main, 2)) reads of main memory)"
            )
        }
        print(benchLine("scheduler-memory", ["read_4mib_ns": fixed(cached, 1), "read_64mib_ns": fixed(main, 1)]))
    }

    /// Runs `trials` trials, repeated (with seeds 0, 1, ...) until 10^6 trials are covered.
    func measure(variant: Variant, trials n: Int) throws -> Measurement {
        let repeats = max(1, 1_000_000 / n)
        var m = Measurement(variant: variant, trials: n, repeats: repeats, reports: 0, seconds: 0, completed: 0)
        for r in 0..<repeats {
            let clock = ContinuousClock()
            var reports = 0
            var completed = 0
            let elapsed = try clock.measure {
                (reports, completed) = try simulate(variant: variant, trials: n, seed: UInt64(r))
            }
            m.reports += reports
            m.completed += completed
            m.seconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }
        return m
    }

    /// One run of `trials` trials; returns the number of reports and of trials that reached R.
    func simulate(variant: Variant, trials: Int, seed: UInt64) throws -> (reports: Int, completed: Int) {
        let space = try SearchSpace([Parameter(name: "lr", domain: .logUniform(low: 1e-4, high: 1, step: nil))])
        let settings = SchedulerSettings(
            variant: variant, minResource: 1, maxResource: 81, reductionFactor: 3, seed: seed, maxTrials: trials)
        var scheduler = try ASHAScheduler(space: space, settings: settings)
        let ladder = scheduler.ladders[0]
        var pick = SplitMix64(seed: seed ^ 0xB5AD_4ECE_DA1C_E2A9)
        // Per slot: the job and, for the stopping variant, the index of the next rung level to report at.
        var slots: [(job: Job, level: Int)] = []
        for _ in 0..<workers {
            guard let job = scheduler.nextJob() else { break }
            slots.append((job, 0))
        }
        var reports = 0
        var completed = 0
        while !slots.isEmpty {
            let i = SplitMix64.index(pick.next(), below: slots.count)
            let (job, level) = slots[i]
            let resource = variant == .promotion ? job.toResource : ladder[level]
            let decision = scheduler.report(
                trial: job.trial, resource: resource, value: Self.curve(trial: job.trial, resource: resource))
            reports += 1
            if decision?.action == .continue {
                slots[i].level = level + 1
                continue
            }
            if decision?.action == .complete { completed += 1 }
            if let next = scheduler.nextJob() {
                slots[i] = (next, next.isNew ? 0 : next.rung)
            } else {
                slots.swapAt(i, slots.count - 1)
                slots.removeLast()
            }
        }
        guard scheduler.isFinished else { throw BenchUsageError(description: "the run did not finish") }
        return (reports, completed)
    }

    /// The synthetic learning curve.
    @inline(__always)
    static func curve(trial: Int, resource: Int) -> Double {
        let q = SplitMix64.unitInterval(SplitMix64.bits(seed: 1, UInt64(trial), 0))
        let noise = SplitMix64.unitInterval(SplitMix64.bits(seed: 2, UInt64(trial), UInt64(resource)))
        return 0.5 * q + (0.5 + q) / Double(resource).squareRoot() + 0.05 * (noise - 0.5)
    }
}
