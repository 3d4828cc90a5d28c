import Testing

@testable import ASHA

/// Runs `trials` new trials through a one-rung scheduler (r = R = 1), reporting `value(config)` for each
/// right after it is sampled; returns the configurations with their origins.
private func oneRungRun(
    space: SearchSpace, tpe: TPESettings, goal: Goal = .minimize, trials: Int, seed: UInt64 = 7,
    canonical: (@Sendable (Configuration) -> Configuration)? = nil, value: (Configuration) -> Double
) throws -> [(Configuration, SampleOrigin?)] {
    var scheduler = try ASHAScheduler(
        space: space,
        settings: SchedulerSettings(
            variant: .promotion, goal: goal, minResource: 1, maxResource: 1, seed: seed, sampler: .tpe(tpe)))
    if let canonical { scheduler.canonicalizeSamples(with: canonical) }
    var out: [(Configuration, SampleOrigin?)] = []
    for _ in 0..<trials {
        let next = scheduler.nextJob()
        let job = try #require(next)
        let config = try #require(scheduler.configuration(of: job.trial))
        out.append((config, scheduler.sampleOrigin(of: job.trial)))
        _ = scheduler.report(trial: job.trial, resource: 1, value: value(config))
    }
    return out
}

private let line = try! SearchSpace([Parameter(name: "x", domain: .uniform(low: 0, high: 1, step: nil))])

@Suite("TPE sampler")
struct TPESamplerTests {
    @Test("Unit encoding: ints, log ints, grids, choices and constants survive a round trip; reals within 1e-12")
    func encodingRoundTrips() {
        let space = SearchSpaceTests.space
        let encoding = UnitEncoding(space)
        #expect(encoding.count == 7)  // the constant is not a coordinate
        for i in 0..<300 {
            let config = space.sample(index: i, seed: 3)
            let back = encoding.decode(encoding.encode(config))
            for (a, b) in zip(config.entries, back.entries) {
                switch (a.value, b.value) {
                case (.double(let x), .double(let y)) where a.name == "lr" || a.name == "momentum":
                    #expect(abs(x - y) <= 1e-12 * abs(x), "\(a.name) \(x) \(y)")
                default:
                    #expect(a.value == b.value, "\(a.name)")
                }
            }
        }
    }

    @Test("Decoding any unit point gives a configuration inside the space (bounds, integers, grid steps)")
    func decodingStaysInside() {
        let space = SearchSpaceTests.space
        let encoding = UnitEncoding(space)
        var rng = SplitMix64(seed: 5)
        for _ in 0..<500 {
            var u = (0..<encoding.count).map { _ in SplitMix64.unitInterval(rng.next()) * 1.2 - 0.1 }
            u[6] = Double(SplitMix64.index(rng.next(), below: 3))  // the choice coordinate holds an index
            let c = encoding.decode(u)
            guard case .double(let lr)? = c["lr"], case .double(let dropout)? = c["dropout"],
                case .int(let width)? = c["width"], case .int(let layers)? = c["layers"]
            else {
                Issue.record("wrong value types in \(c)")
                continue
            }
            #expect(lr >= 1e-5 && lr <= 1e-1)
            #expect(width >= 16 && width <= 1024 && layers >= 1 && layers <= 8)
            #expect([0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5].contains(dropout), "dropout \(dropout)")
            #expect(c["epochs"] == .int(30))
        }
    }

    @Test("A random draw of the model-based sampler is exactly the seed's configuration of that index")
    func randomDrawsAreTheSeeds() throws {
        let space = SearchSpaceTests.space
        let all = try oneRungRun(space: space, tpe: TPESettings(randomFraction: 1), trials: 40) { _ in 1 }
        for (i, (config, origin)) in all.enumerated() {
            #expect(origin == .random)
            #expect(config == space.sample(index: i, seed: 7))
        }
        let mixed = try oneRungRun(space: line, tpe: TPESettings(minPoints: 4), trials: 60) { c in
            c["x"]?.doubleValue ?? 0
        }
        #expect(mixed.contains { $0.1 == .random } && mixed.contains { if case .model = $0.1 { true } else { false } })
        for (i, (config, origin)) in mixed.enumerated() where origin == .random {
            #expect(config == line.sample(index: i, seed: 7))
        }
    }

    @Test("The same seed and the same results give the same samples; another seed other ones")
    func deterministic() throws {
        let value: (Configuration) -> Double = { c in
            let lr = c["lr"]?.doubleValue ?? 0
            return (lr - 0.01) * (lr - 0.01) + (c["optimizer"] == .string("adam") ? 0 : 0.1)
        }
        let space = SearchSpaceTests.space
        let a = try oneRungRun(space: space, tpe: TPESettings(minPoints: 5), trials: 80, value: value)
        let b = try oneRungRun(space: space, tpe: TPESettings(minPoints: 5), trials: 80, value: value)
        let c = try oneRungRun(space: space, tpe: TPESettings(minPoints: 5), trials: 80, seed: 8, value: value)
        #expect(a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1))
        #expect(a.map(\.0) != c.map(\.0))
        #expect(a.filter { if case .model = $0.1 { true } else { false } }.count > 30)
    }

    @Test("The model learns where good values lie, under either goal", arguments: [Goal.minimize, .maximize])
    func learns(goal: Goal) throws {
        let sign = goal == .minimize ? 1.0 : -1.0
        let run = try oneRungRun(space: line, tpe: TPESettings(minPoints: 5), goal: goal, trials: 120) { c in
            let x = c["x"]?.doubleValue ?? 0
            return sign * (x - 0.8) * (x - 0.8)
        }
        let late = run.suffix(60)
        let fromModel = late.filter { if case .model = $0.1 { true } else { false } }.map {
            $0.0["x"]?.doubleValue ?? 0
        }
        let fromRandom = run.filter { $0.1 == .random }.map { $0.0["x"]?.doubleValue ?? 0 }
        let modelError = fromModel.map { abs($0 - 0.8) }.reduce(0, +) / Double(fromModel.count)
        let randomError = fromRandom.map { abs($0 - 0.8) }.reduce(0, +) / Double(max(1, fromRandom.count))
        #expect(fromModel.count >= 30)
        // Uniform draws miss 0.8 by 0.34 on average; the model's proposals by less than half that.
        #expect(modelError < randomError / 2, "model \(modelError), random \(randomError)")
        #expect(randomError > 0.2)
    }

    @Test("With min_distance, no model proposal lies that close to a configuration sampled before it")
    func nearDuplicatesAvoided() throws {
        let value: (Configuration) -> Double = { c in
            let x = c["x"]?.doubleValue ?? 0
            return (x - 0.8) * (x - 0.8)
        }
        let settings = TPESettings(randomFraction: 0, minPoints: 5, minDistance: 0.02)
        let run = try oneRungRun(space: line, tpe: settings, trials: 60, value: value)
        var fromModel = 0
        for (i, (config, origin)) in run.enumerated() {
            guard case .model = origin else { continue }
            fromModel += 1
            let x = config["x"]?.doubleValue ?? 0
            let nearest = run[..<i].map { abs(($0.0["x"]?.doubleValue ?? 0) - x) }.min() ?? 1
            #expect(nearest >= 0.02, "trial \(i) at \(x) is \(nearest) from an earlier one")
        }
        #expect(fromModel >= 20)
        // Without the check the model piles proposals next to each other near 0.8.
        let plain = try oneRungRun(
            space: line, tpe: TPESettings(randomFraction: 0, minPoints: 5), trials: 60, value: value)
        let close = plain.indices.dropFirst().filter { i in
            let x = plain[i].0["x"]?.doubleValue ?? 0
            return plain[..<i].contains { abs(($0.0["x"]?.doubleValue ?? 0) - x) < 0.02 }
        }
        #expect(close.count > 5)
    }

    /// 4 × 5 = 20 configurations; the best is (c, 4).
    static let finite = try! SearchSpace([
        Parameter(name: "k", domain: .choice([.string("a"), .string("b"), .string("c"), .string("d")])),
        Parameter(name: "n", domain: .int(low: 1, high: 5)),
    ])

    static func finiteValue(_ c: Configuration) -> Double {
        let n = c["n"]?.doubleValue ?? 0
        return (n - 4) * (n - 4) + (c["k"] == .string("c") ? 0 : 1)
    }

    @Test("With avoid_duplicates, a finite space is sampled without repeats until (nearly) exhausted, then with")
    func duplicatesAvoided() throws {
        let space = Self.finite
        for seed: UInt64 in [1, 2, 3] {
            let run = try oneRungRun(
                space: space, tpe: TPESettings(minPoints: 4), trials: 30, seed: seed, value: Self.finiteValue)
            // While a quarter of the space is new, a new configuration is all but certain to be found;
            // the last few may be missed (a random draw tries 16 times).
            #expect(Set(run.prefix(15).map(\.0)).count == 15, "seed \(seed)")
            #expect(Set(run.prefix(20).map(\.0)).count >= 18, "seed \(seed)")
            #expect(run.contains { if case .model = $0.1 { true } else { false } })
            // Exhausted: trials 21… repeat configurations (the run goes on).
            #expect(Set(run.map(\.0)).count == 20)
        }
        // Without it the model proposes the configurations it believes best again and again, and the
        // random draws repeat too.
        let plain = try oneRungRun(
            space: space, tpe: TPESettings(minPoints: 4, avoidDuplicates: false), trials: 20, value: Self.finiteValue)
        #expect(Set(plain.map(\.0)).count < 15)
    }

    /// A run of `trials` trials over `finite` with brackets [1, 3, 9] and [3, 9], one trial at a time: per
    /// trial that repeats a configuration sampled before, whether every earlier trial of that
    /// configuration was, when it was sampled, stopped or waiting in the other bracket (a rescue).
    private static func rescues(_ variant: Variant, revisit: Bool, seed: UInt64, trials: Int) throws -> [Bool] {
        var scheduler = try ASHAScheduler(
            space: finite,
            settings: SchedulerSettings(
                variant: variant, minResource: 1, maxResource: 9, brackets: 2, seed: seed,
                sampler: .tpe(TPESettings(minPoints: 4, revisitStopped: revisit))))
        var configs: [Configuration] = []
        var repeats: [Bool] = []
        for _ in 0..<trials {
            let next = scheduler.nextJob()
            let job = try #require(next)
            let config = try #require(scheduler.configuration(of: job.trial))
            if job.isNew {
                let earlier = configs.indices.filter { configs[$0] == config }
                if !earlier.isEmpty {
                    repeats.append(
                        earlier.allSatisfy { t in
                            let r = scheduler.trials[t]
                            return (r.phase == .stopped || r.phase == .waiting) && Int(r.bracket) != job.bracket
                        })
                }
                configs.append(config)
            }
            let value = Self.finiteValue(config) + 1 / Double(job.toResource)
            _ = scheduler.report(trial: job.trial, resource: job.toResource, value: value)
        }
        return repeats
    }

    @Test(
        "A finite space exhausted, a repeat goes to a configuration stopped (or waiting) in another bracket",
        arguments: [Variant.promotion, .stopping])
    func rescuesInOtherBrackets(variant: Variant) throws {
        for seed: UInt64 in [1, 2, 3] {
            let with = try Self.rescues(variant, revisit: true, seed: seed, trials: 60)
            let without = try Self.rescues(variant, revisit: false, seed: seed, trials: 60)
            let rescued = with.filter { $0 }.count
            let plain = without.filter { $0 }.count
            // Rescued repeats are ranked among other trials than before; the others repeat known results.
            #expect(rescued >= 5 && rescued > plain, "seed \(seed): \(rescued) of \(with.count), without \(plain)")
        }
    }

    /// A value over `finite` at resource r: `finiteValue`, except that the best configuration (c, 4) looks
    /// poor at r = 1 (4.5: it ranks 12th of the 20 there) and is the best from r = 3 on.
    static func lateBloomer(_ c: Configuration, resource: Int) -> Double {
        let v = finiteValue(c)
        return v == 0 && resource == 1 ? 4.5 : v
    }

    /// A one-bracket run of `trials` new trials (ladder 1, 3, 9, one trial at a time, values from
    /// `lateBloomer`): per repeat of a configuration sampled before, its trial and whether it repeats the
    /// worst result at r = 1 then; and whether the best configuration reached r = 9.
    private static func deepening(
        _ variant: Variant, exhausted: TPEExhausted, seed: UInt64, trials: Int
    ) throws -> (worstCopies: [(trial: TrialID, isWorst: Bool)], bestCompleted: Bool) {
        var scheduler = try ASHAScheduler(
            space: finite,
            settings: SchedulerSettings(
                variant: variant, minResource: 1, maxResource: 9, seed: seed, maxTrials: trials,
                sampler: .tpe(TPESettings(minPoints: 4, exhausted: exhausted))))
        var configs: [Configuration] = []
        var worstCopies: [(trial: TrialID, isWorst: Bool)] = []
        var bestCompleted = false
        while let job = scheduler.nextJob() {
            let config = try #require(scheduler.configuration(of: job.trial))
            if job.isNew {
                if configs.contains(config) {
                    let worst = scheduler.rungEntries(bracket: 0, rung: 0).last { $0.value.isFinite }
                    worstCopies.append((job.trial, worst.map { configs[$0.trial] == config } ?? false))
                }
                configs.append(config)
            }
            var decisions: [Decision] = []
            for resource in [1, 3, 9] where resource > job.fromResource && resource <= job.toResource {
                decisions += scheduler.reportAll(
                    trial: job.trial, resource: resource, value: lateBloomer(config, resource: resource))
            }
            if finiteValue(config) == 0, decisions.contains(where: { $0.action == .complete }) { bestCompleted = true }
        }
        return (worstCopies, bestCompleted)
    }

    @Test("A finite space exhausted, deepen repeats the worst first-rung result, and the rungs go deeper")
    func deepenPadsTheFirstRung() throws {
        for seed: UInt64 in [1, 2, 3] {
            let deepen = try Self.deepening(.promotion, exhausted: .deepen, seed: seed, trials: 150)
            let draw = try Self.deepening(.promotion, exhausted: .draw, seed: seed, trials: 150)
            // Promotion: every repeat after the space ran out copies the worst result at r = 1 (the first
            // repeats may be model proposals of a space not quite exhausted).
            #expect(deepen.worstCopies.count >= 100)
            let allWorst = deepen.worstCopies.suffix(100).allSatisfy { $0.isWorst }
            #expect(allWorst, "seed \(seed)")
            #expect(draw.worstCopies.filter { $0.isWorst }.count < 30, "seed \(seed)")
            // The best configuration ranks 13th of 20 at r = 1: only padding the rung gets it promoted.
            #expect(deepen.bestCompleted, "seed \(seed)")
            #expect(!draw.bestCompleted, "seed \(seed)")
            // Stopping: the repeats of even trial index copy the worst result; the others are drawn.
            let stopping = try Self.deepening(.stopping, exhausted: .deepen, seed: seed, trials: 150)
            let late = stopping.worstCopies.suffix(80)
            let evenWorst = late.filter { $0.trial % 2 == 0 }.allSatisfy { $0.isWorst }
            #expect(evenWorst, "seed \(seed)")
            #expect(late.filter { $0.trial % 2 == 1 && $0.isWorst }.count < 20, "seed \(seed)")
        }
    }

    /// A value over `finite` at resource r. The best configuration (c, 4) scores 0 at r = 1 and r = 9, and
    /// 4.5 at r = 3, behind most of those that pass r = 1 with it; the others score (n − 2)² + k/10 at
    /// r = 1 (k the choice's index) and `finiteValue` from r = 3 on, so some that pass r = 1 do worse
    /// at r = 3 than the best one (n = 1 and 2).
    static func lateAtSecondRung(_ c: Configuration, resource: Int) -> Double {
        let v = finiteValue(c)
        if v == 0 { return resource == 3 ? 4.5 : 0 }
        guard resource == 1 else { return v }
        let n = c["n"]?.doubleValue ?? 0
        let k = ["a", "b", "c", "d"].firstIndex { c["k"] == .string($0) } ?? 0
        return (n - 2) * (n - 2) + Double(k) / 10
    }

    /// A one-bracket stopping run (ladder 1, 3, 9; one trial at a time; values from `lateAtSecondRung`):
    /// the number of trials started when the best configuration first completed (nil: never, within
    /// `trials`), and the trials that repeated a configuration.
    private static func rescuing(
        exhausted: TPEExhausted, seed: UInt64, trials: Int
    ) throws -> (completedAt: Int?, repeats: Int) {
        var scheduler = try ASHAScheduler(
            space: finite,
            settings: SchedulerSettings(
                variant: .stopping, minResource: 1, maxResource: 9, seed: seed, maxTrials: trials,
                sampler: .tpe(TPESettings(minPoints: 4, exhausted: exhausted))))
        var configs: Set<Configuration> = []
        var repeats = 0
        while let job = scheduler.nextJob() {
            let config = try #require(scheduler.configuration(of: job.trial))
            if !configs.insert(config).inserted { repeats += 1 }
            var decisions: [Decision] = []
            for resource in [1, 3, 9] {
                decisions += scheduler.reportAll(
                    trial: job.trial, resource: resource, value: lateAtSecondRung(config, resource: resource))
                if decisions.last?.action != .continue { break }
            }
            if finiteValue(config) == 0, decisions.contains(where: { $0.action == .complete }) {
                return (job.trial + 1, repeats)
            }
        }
        return (nil, repeats)
    }

    @Test("An exhausted space's repeats say whose configuration they copy and why (they said 'random')")
    func copiesSayWhatTheyCopy() throws {
        for (variant, exhausted) in [(Variant.promotion, TPEExhausted.deepen), (.stopping, .rescue)] {
            var scheduler = try ASHAScheduler(
                space: Self.finite,
                settings: SchedulerSettings(
                    variant: variant, minResource: 1, maxResource: 9, seed: 5, maxTrials: 150,
                    sampler: .tpe(TPESettings(minPoints: 4, exhausted: exhausted))))
            var configs: [Configuration] = []
            var worst = 0
            var pads = 0
            var retries = 0
            while let job = scheduler.nextJob() {
                let config = try #require(scheduler.configuration(of: job.trial))
                if job.isNew {
                    if case .copy(let t, let why)? = scheduler.sampleOrigin(of: job.trial) {
                        #expect(t < job.trial && configs[t] == config, "trial \(job.trial) copies \(t)")
                        switch why {
                        case .worst: worst += 1
                        case .pad(let target):
                            #expect(target < job.trial)
                            pads += 1
                        case .retry: retries += 1
                        }
                    }
                    configs.append(config)
                }
                for resource in [1, 3, 9] where resource > job.fromResource && resource <= job.toResource {
                    let value =
                        variant == .promotion
                        ? Self.lateBloomer(config, resource: resource)
                        : Self.lateAtSecondRung(config, resource: resource)
                    let decisions = scheduler.reportAll(trial: job.trial, resource: resource, value: value)
                    if decisions.last?.action != .continue { break }
                }
            }
            if variant == .promotion {
                #expect(worst >= 100 && pads == 0 && retries == 0, "\(worst) \(pads) \(retries)")
            } else {
                #expect(pads > 0 && retries > 0, "\(worst) \(pads) \(retries)")
            }
        }
    }

    @Test("A finite space exhausted, rescue pads the rung that stopped a promising configuration, then repeats it")
    func rescueGetsALateBloomerThrough() throws {
        var rescued = 0
        var deepened = 0
        for seed: UInt64 in 1...12 {
            let rescue = try Self.rescuing(exhausted: .rescue, seed: seed, trials: 150)
            let deepen = try Self.rescuing(exhausted: .deepen, seed: seed, trials: 150)
            if rescue.completedAt != nil { rescued += 1 }
            if deepen.completedAt != nil { deepened += 1 }
            // Nothing changes before the space runs out: a run that finds the best early is the same.
            if deepen.repeats == 0 { #expect(rescue.completedAt == deepen.completedAt, "seed \(seed)") }
        }
        // The best configuration ranks 6th of about 7 at r = 3 among those that pass r = 1 with it: deepen's
        // copies of the worst first-rung result and random repeats get it through in 5 of 12 seeds, rescue
        // (copies that pass r = 1 and stop at r = 3, then the best one again) in all 12.
        #expect(rescued == 12)
        #expect(deepened <= 6)
    }

    @Test("With promotion, rescue repeats what deepen does")
    func rescueIsDeepenWithPromotion() throws {
        for seed: UInt64 in [1, 2, 3] {
            let rescue = try Self.deepening(.promotion, exhausted: .rescue, seed: seed, trials: 150)
            let deepen = try Self.deepening(.promotion, exhausted: .deepen, seed: seed, trials: 150)
            #expect(rescue.worstCopies.map(\.trial) == deepen.worstCopies.map(\.trial), "seed \(seed)")
            #expect(rescue.worstCopies.map(\.isWorst) == deepen.worstCopies.map(\.isWorst), "seed \(seed)")
            #expect(rescue.bestCompleted == deepen.bestCompleted, "seed \(seed)")
        }
    }

    @Test("Duplicates are decided on the canonical configuration the objective evaluates")
    func canonicalDuplicates() throws {
        // x evaluates as x rounded to tenths: 11 distinct configurations in effect.
        let tenths: @Sendable (Configuration) -> Configuration = { c in
            Configuration([.init(name: "x", value: .double(((c["x"]?.doubleValue ?? 0) * 10).rounded() / 10))])
        }
        let value: (Configuration) -> Double = { c in
            let x = tenths(c)["x"]?.doubleValue ?? 0
            return (x - 0.8) * (x - 0.8)
        }
        let run = try oneRungRun(
            space: line, tpe: TPESettings(minPoints: 3), trials: 14, canonical: tenths, value: value)
        #expect(Set(run.prefix(11).map { tenths($0.0) }).count == 11)
        #expect(run.contains { if case .model = $0.1 { true } else { false } })
        // Each configuration is still the sampled one (not its canonical form), and reproducible.
        #expect(run.contains { tenths($0.0) != $0.0 })
        let again = try oneRungRun(
            space: line, tpe: TPESettings(minPoints: 3), trials: 14, canonical: tenths, value: value)
        #expect(run.map(\.0) == again.map(\.0))
        // Without the canonical form, raw reals never repeat, so canonical duplicates come back.
        let raw = try oneRungRun(space: line, tpe: TPESettings(minPoints: 3), trials: 11, value: value)
        #expect(Set(raw.map { tenths($0.0) }).count < 11)
    }

    @Test("The model fits the highest rung level with enough results, and says which")
    func highestLevel() throws {
        var scheduler = try ASHAScheduler(
            space: line,
            settings: SchedulerSettings(
                variant: .stopping, minResource: 1, maxResource: 9, seed: 1,
                sampler: .tpe(TPESettings(randomFraction: 0, minPoints: 3, split: .level))))
        #expect(scheduler.samplerModel() == nil)
        // Three trials report at r=1 (all continue: fewer than η entries, then within the cutoff).
        var ids: [TrialID] = []
        for i in 0..<3 {
            let next = scheduler.nextJob()
            let job = try #require(next)
            #expect(scheduler.sampleOrigin(of: job.trial) == .random)
            _ = scheduler.report(trial: job.trial, resource: 1, value: Double(i))
            ids.append(job.trial)
        }
        #expect(scheduler.samplerModel()?.resource == 1 && scheduler.samplerModel()?.observations == 3)
        let another = scheduler.nextJob()
        let next = try #require(another)
        #expect(scheduler.sampleOrigin(of: next.trial) == .model(resource: 1, observations: 3))
        _ = scheduler.report(trial: next.trial, resource: 9, value: 0)  // records r=1, 3 and 9 in one report
        for t in ids { _ = scheduler.report(trial: t, resource: 3, value: 1) }
        #expect(scheduler.samplerModel()?.resource == 3)
        #expect(scheduler.samplerModel()?.observations == 3)
    }

    @Test("split: level models one level's results; progress ranks every trial by how far it got, unreported ones bad")
    func splits() throws {
        func run(_ split: TPESplit) -> (TPESampler, [Double]) {
            var sampler = TPESampler(
                space: line, settings: TPESettings(randomFraction: 1, minPoints: 2, gamma: 0.5, split: split))
            var xs: [Double] = []
            for i in 0..<6 { xs.append(sampler.sample(index: i, seed: 3, space: line).0["x"]?.doubleValue ?? .nan) }
            // Trials 0-2 are the best at r=1; trials 3 and 4 worse there, but they alone reach r=3.
            for (t, v) in [0.0, 0.1, 0.2, 0.5, 0.6].enumerated() {
                sampler.observe(RankKey(value: v, goal: .minimize, id: t), resource: 1)
            }
            sampler.observe(RankKey(value: 0.8, goal: .minimize, id: 4), resource: 3)
            sampler.observe(RankKey(value: 0.7, goal: .minimize, id: 3), resource: 3)
            return (sampler, xs)
        }
        var (level, xs) = run(.level)
        let fittedLevel = level.fittedModel()
        let l = try #require(fittedLevel)
        // The level of r=3: two results, the better (trial 3) good.
        #expect(l.resource == 3 && l.observations == 2)
        #expect(l.good.centers == [xs[3]] && l.bad.centers == [xs[4]])
        var (progress, _) = run(.progress)
        let fittedProgress = progress.fittedModel()
        let p = try #require(fittedProgress)
        // Five trials with results: 3 and 4 first (they got to r=3), then 0, 1, 2 by their r=1 values;
        // ⌈0.5 · 5⌉ = 3 good; the rest and trial 5 (no result yet) bad.
        #expect(p.resource == 3 && p.observations == 5)
        #expect(p.good.centers == [xs[3], xs[4], xs[0]] && p.bad.centers == [xs[1], xs[2], xs[5]])
        // Trial 5 reports: it leaves the trials without a result; a result at a lower level moves nothing.
        progress.observe(RankKey(value: 0.05, goal: .minimize, id: 5), resource: 1)
        progress.observe(RankKey(value: 0.9, goal: .minimize, id: 3), resource: 1)
        let fittedAfter = progress.fittedModel()
        let after = try #require(fittedAfter)
        #expect(after.observations == 6)
        #expect(after.good.centers == [xs[3], xs[4], xs[0]] && after.bad.centers == [xs[5], xs[1], xs[2]])
        // A new sample without a result joins the bad set at once.
        _ = progress.sample(index: 6, seed: 3, space: line)
        #expect(progress.fittedModel()?.bad.kernels == 4)
    }

    @Test("Out-of-range settings are refused, naming the sampler key")
    func settingsChecked() {
        #expect(TPESettings(gamma: 1).problem()?.key == "gamma")
        #expect(TPESettings(randomFraction: -0.1).problem()?.key == "random_fraction")
        #expect(TPESettings(minPoints: 2).problem()?.key == "min_points")
        #expect(TPESettings(candidates: 0).problem()?.key == "candidates")
        #expect(TPESettings(minDistance: 0.6).problem()?.key == "min_distance")
        #expect(TPESettings(minDistance: -0.01).problem()?.key == "min_distance")
        #expect(TPESettings().problem() == nil)
        #expect {
            _ = try ASHAScheduler(space: line, settings: SchedulerSettings(sampler: .tpe(TPESettings(gamma: 0))))
        } throws: { error in
            (error as? SchedulerError)?.name == "sampler.gamma"
        }
    }

    @Test("Normal quantile and CDF invert each other")
    func normal() {
        for p in [1e-10, 0.001, 0.02, 0.3, 0.5, 0.77, 0.99, 1 - 1e-9] {
            #expect(abs(NormalDistribution.cdf(NormalDistribution.quantile(p)) - p) < 2e-7 + p * 1e-6, "p \(p)")
        }
        for u in [0.0, 0.001, 0.5, 0.999] {
            let x = NormalDistribution.truncatedUnit(mean: 0.9, sd: 0.5, u: u)
            #expect(x >= 0 && x <= 1)
        }
    }
}
