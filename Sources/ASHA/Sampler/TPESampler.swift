/// Model-based sampling for ASHA, as BOHB does it: a tree-structured Parzen estimator (TPE) over the
/// results the scheduler records at its rungs.
///
/// **Observations.** Every value the scheduler records at a rung is one observation (configuration,
/// value) of that rung's resource level; levels are shared across brackets (bracket 1's rung of
/// resource 3 and bracket 0's are one level). NaN and ±∞ count as the worst values.
///
/// **Model.** The model fits the highest resource level with at least `minPoints` observations
/// (default: tuned parameters + 2). Its observations, ranked best first (ties by trial id), split into
/// good — the best ⌈γ·n⌉, at least 1 and at most n − 1 — and bad, the rest. A `ParzenDensity` is fitted
/// to each, in the unit scale of `UnitEncoding` (log for log parameters; integers owning unit cells; a
/// categorical kernel for choices; bandwidths with a floor). A set larger than `maxKernels` is thinned
/// evenly by rank to that many kernels, so a sample costs the same at 10,000 results as at 300. The
/// model is refitted lazily: at the first sample after a new observation.
///
/// **A sample.** Configuration i is drawn at random (`space.sample(index: i, seed:)`, what the random
/// sampler gives, unless that repeats a configuration: see below) when `unitInterval(bits(seed, i, 2⁶⁴−1)) < randomFraction` or when no level has
/// enough observations. Otherwise `candidates` points are drawn from the good density with its
/// bandwidths times `bandwidthFactor`, each from a kernel chosen uniformly, and the one with the
/// largest log l(x) − log g(x) wins (the first on ties); integers are rounded and steps snapped when
/// it is decoded. Its random numbers come from `SplitMix64(seed: bits(seed, i, 2⁶⁴−2))`.
///
/// **Duplicates.** With `avoidDuplicates`, every sampled configuration's canonical form (`canonical`,
/// the objective's; default the configuration itself) goes into a set: the best candidate whose form
/// is not in it wins, a random draw whose form is in it is drawn again (up to `redraws` times), and the
/// model's coordinates are those of the canonical forms (the configurations whose results it sees).
/// When no new configuration is found (a finite space exhausted), a configuration that `Revisit` allows
/// is repeated: the model's best such candidate, else the first such random draw; else, in the
/// stopping variant with `exhausted: rescue`, a pad for (or a repeat of) a stopped configuration (see
/// `rescueTrial`); else, with `exhausted: deepen` or `rescue`, the configuration with the worst result
/// at the new trial's first rung (every trial in the promotion variant, every other one in the
/// stopping variant: see `TPEExhausted`); else the seed's draw.
///
/// **Asynchrony.** Trials still running have no result and are not in the model (BOHB does the same);
/// workers asking at the same moment draw different candidates (their random numbers depend on the
/// trial index) from the same model. Given the seed and the order of results, the samples are
/// determined: all arithmetic is IEEE basic operations and `DeterministicMath`, so they are the same on
/// every machine, and a run rebuilt from its log samples what the original run sampled.
struct TPESampler: Sendable {
    let settings: TPESettings
    let encoding: UnitEncoding
    let minPoints: Int
    let minGood: Int
    /// The coordinates of every trial's configuration, trial after trial (`encoding.count` each).
    private var coordinates: [Double] = []
    /// Configurations that are not the seed's draw of their index (model proposals, and random draws
    /// taken again because the first was a duplicate); the others are recomputed from the seed when asked.
    private var proposed: [TrialID: Configuration] = [:]
    /// Maps a configuration to the one it evaluates as (`Objective.canonicalConfiguration`): two
    /// configurations with the same canonical one give the same results. Nil: every configuration is
    /// its own (after the rounding of integers, choices and steps that sampling does anyway).
    var canonical: (@Sendable (Configuration) -> Configuration)?
    /// The canonical configurations sampled so far (finished, stopped or still running) and the trials
    /// that sampled each, when `settings.avoidDuplicates`; rebuilt on resume by sampling again in order,
    /// like everything here.
    private var seen: [Configuration: [TrialID]] = [:]
    /// Where each trial's configuration came from.
    private(set) var origins: [SampleOrigin] = []
    /// Per rung resource: the observations' keys, best first.
    private var levels: [Int: [RankKey]] = [:]
    /// Per rung resource: the keys of the trials whose highest result is at that level, best first
    /// (`split: progress`; each trial with a result is in exactly one).
    private var frontier: [Int: [RankKey]] = [:]
    /// Per trial: its key at the highest level it has a result at, and that level's resource.
    private var highest: [(key: RankKey, resource: Int)?] = []
    /// Per trial: the scores it recorded, by rung resource, in order (`exhausted: rescue`).
    private var observed: [[(resource: Int, score: UInt64)]] = []
    /// Per canonical configuration sampled (`exhausted: rescue`, with `avoidDuplicates`): its latest trial
    /// and how many of its trials were not stopped (running, or ended otherwise), so a repeat finds the
    /// stopped configurations in O(configurations), not O(trials).
    private var rescueIndex: [Configuration: Int] = [:]
    private var rescueLatest: [TrialID] = []
    private var rescueOpen: [Int] = []
    /// Per trial: its configuration's place in `rescueLatest` (`exhausted: rescue`).
    private var rescueConfig: [Int32] = []
    /// The stopped configuration (its latest trial) that repeats pad the rungs for (`exhausted: rescue`).
    private var rescueTarget: TrialID?
    /// `exhausted: rescue` in the stopping variant: the rescue books above are kept.
    private let rescues: Bool
    /// The trials with no result yet, by id (`split: progress`).
    private var unreported: [Int] = []
    private var model: Model?
    private var stale = true

    struct Model: Sendable {
        let resource: Int
        let observations: Int
        let good: ParzenDensity
        let bad: ParzenDensity
    }

    /// `stopping`: the scheduler's variant is stopping (`exhausted: rescue` keeps its books only then:
    /// with promotion it is `deepen`).
    init(space: SearchSpace, settings: TPESettings, stopping: Bool = false) {
        self.settings = settings
        rescues = stopping && settings.exhausted == .rescue
        encoding = UnitEncoding(space)
        minGood = settings.minGood ?? 1
        minPoints = max(settings.minPoints ?? (encoding.count + 2), 2 * minGood)
    }

    /// The configuration of a trial when it is not the seed's draw of its index (a model proposal, or a
    /// random draw taken again because the first repeated a configuration), else nil.
    func proposedConfiguration(of trial: TrialID) -> Configuration? { proposed[trial] }

    /// Records a result: `key` (value and trial) at rung resource `resource`.
    mutating func observe(_ key: RankKey, resource: Int) {
        let index = Self.insertionIndex(of: key, in: levels[resource] ?? [])
        levels[resource, default: []].insert(key, at: index)
        stale = true
        if rescues, observed.indices.contains(key.id) {
            observed[key.id].append((resource, key.score))
        }
        guard settings.split == .progress, highest.indices.contains(key.id) else { return }
        if let (old, level) = highest[key.id] {
            guard resource > level else { return }
            let at = Self.insertionIndex(of: old, in: frontier[level] ?? [])
            frontier[level]?.remove(at: at)
        } else {
            unreported.remove(at: Self.insertionIndex(of: key.id, in: unreported))
        }
        highest[key.id] = (key, resource)
        let at = Self.insertionIndex(of: key, in: frontier[resource] ?? [])
        frontier[resource, default: []].insert(key, at: at)
    }

    /// The position of `x` in the sorted `xs` (where it would go when absent).
    private static func insertionIndex<T: Comparable>(of x: T, in xs: [T]) -> Int {
        var low = 0
        var high = xs.count
        while low < high {
            let mid = (low + high) / 2
            if xs[mid] < x { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The model's level and size now (refitting if results came in), or nil when no level has enough results.
    mutating func currentModel() -> (resource: Int, observations: Int)? {
        refitIfStale()
        return model.map { ($0.resource, $0.observations) }
    }

    /// The current model itself (refitting if results came in): its level, size and densities.
    mutating func fittedModel() -> Model? {
        refitIfStale()
        return model
    }

    /// Samples the configuration of trial `index` (the next trial) and records it. `revisit` says which
    /// configurations sampled before the trial may repeat when no new one is found (see `Revisit`);
    /// the default, none. `pad`: with `exhausted: deepen` (or `rescue`), the resource of the trial's first
    /// rung, and which trials copy the worst result there (those whose index is a multiple of `every`;
    /// see `TPEExhausted.deepen`); nil: none. `rescue`: the stopping variant's rungs of the trial's
    /// bracket, for `exhausted: rescue` (nil with promotion, where `rescue` is `deepen`).
    mutating func sample(
        index: Int, seed: UInt64, space: SearchSpace, revisit: Revisit = .none, pad: (level: Int, every: Int)? = nil,
        rescue: Rescue? = nil
    ) -> (Configuration, SampleOrigin) {
        precondition(index == origins.count, "trials are sampled in order")
        let coin = SplitMix64.unitInterval(SplitMix64.bits(seed: seed, UInt64(index), UInt64.max))
        // Preference: the model's best new configuration, a new random draw, then (a finite space
        // exhausted) the model's best revisit, a random revisit, a copy of the worst result at the first
        // rung (`deepen`), and last the seed's draw of the index.
        var modelRevisit: (Configuration, SampleOrigin)?
        var result: (Configuration, SampleOrigin)?
        if encoding.count > 0, coin >= settings.randomFraction {
            refitIfStale()
            if let model {
                let origin = SampleOrigin.model(resource: model.resource, observations: model.observations)
                let rng = SplitMix64(seed: SplitMix64.bits(seed: seed, UInt64(index), .max - 1))
                let (new, again) = propose(model, rng: rng, revisit: revisit)
                result = new.map { ($0, origin) }
                modelRevisit = again.map { ($0, origin) }
            }
        }
        let (config, origin): (Configuration, SampleOrigin)
        if let result {
            (config, origin) = result
        } else {
            let (draw, kind) = randomDraw(index: index, seed: seed, space: space, revisit: revisit)
            switch kind {
            case .new: (config, origin) = (draw, .random)
            case .revisit: (config, origin) = modelRevisit ?? (draw, .random)
            case .repeat:
                if let modelRevisit {
                    (config, origin) = modelRevisit
                } else if rescues, let rescue, let t = rescueTrial(rescue) {
                    // A pad keeps its target; the target itself, retried, clears it.
                    let why: CopyReason = rescueTarget.map { .pad(target: $0) } ?? .retry
                    (config, origin) = (proposed[t] ?? space.sample(index: t, seed: seed), .copy(of: t, why: why))
                } else if settings.exhausted != .draw, let pad, index % pad.every == 0,
                    let t = worstTrial(at: pad.level)
                {
                    // A copy of the worst result at the trial's first rung: it ranks last there.
                    (config, origin) = (proposed[t] ?? space.sample(index: t, seed: seed), .copy(of: t, why: .worst))
                } else {
                    (config, origin) = (draw, .random)
                }
            }
        }
        if config != space.sample(index: index, seed: seed) { proposed[index] = config }
        if settings.avoidDuplicates {
            // The model learns from what was evaluated: the canonical configuration.
            let canon = canonicalForm(config)
            seen[canon, default: []].append(index)
            if rescues {
                let c = rescueIndex[canon] ?? rescueLatest.count
                if c == rescueLatest.count {
                    rescueIndex[canon] = c
                    rescueLatest.append(index)
                    rescueOpen.append(0)
                }
                rescueLatest[c] = index
                rescueOpen[c] += 1
                rescueConfig.append(Int32(c))
            }
            coordinates += encoding.encode(canon)
        } else {
            coordinates += encoding.encode(config)
        }
        origins.append(origin)
        if rescues { observed.append([]) }
        if settings.split == .progress {
            // A trial with no result yet is a bad observation: the model changes with every sample.
            highest.append(nil)
            unreported.append(index)
            stale = true
        }
        return (config, origin)
    }

    private func canonicalForm(_ config: Configuration) -> Configuration {
        canonical?(config) ?? config
    }

    /// The canonical form of `config` when it evaluates as a configuration sampled before, else nil
    /// (always nil unless `avoidDuplicates`).
    private func repeated(_ config: Configuration) -> Configuration? {
        guard settings.avoidDuplicates else { return nil }
        let canon = canonicalForm(config)
        return seen[canon] == nil ? nil : canon
    }

    /// Which earlier configurations a new trial may repeat when every candidate (and every random draw)
    /// repeats one: Hyperband's rescue, one chance per bracket. A configuration qualifies when every
    /// earlier trial of it ended early or waits below the top rung (stopped, or waiting for a promotion)
    /// in another bracket than the new trial's. Its repeat is not wasted: brackets start at different
    /// rungs, so it is ranked among other trials there, which is how a configuration that ranks poorly
    /// at small resources gets through in a later bracket. A trial running, interrupted, completed,
    /// failed or killed, or one in the same bracket, rules its configuration out.
    struct Revisit {
        /// Per earlier trial: whether it leaves its configuration open to the new trial.
        var allows: (TrialID) -> Bool

        static var none: Revisit { Revisit { _ in false } }
    }

    /// Whether the canonical configuration `canon`, sampled before, is one `revisit` allows to repeat.
    private func isRevisit(canonical canon: Configuration, _ revisit: Revisit) -> Bool {
        guard settings.revisitStopped, let trials = seen[canon] else { return false }
        return trials.allSatisfy(revisit.allows)
    }

    /// Further random draws tried when a random draw is a duplicate: enough to find a new configuration
    /// with probability 1 − (1 − p)¹⁵ when a share p of the space is new (79 % at p = 0.1), few enough
    /// that an exhausted space costs little (each try canonicalizes, e.g. a nearest-curve search).
    static let redraws = 15

    /// The random draw of trial `index`, and whether it is new (not a duplicate): the seed's
    /// configuration of that index; with `avoidDuplicates`, when that one is a duplicate, the first of up
    /// to `redraws` further seeded draws that is not; when all are, the first of them that `revisit`
    /// allows, else the first draw.
    private func randomDraw(
        index: Int, seed: UInt64, space: SearchSpace, revisit: Revisit
    ) -> (Configuration, DrawKind) {
        let first = space.sample(index: index, seed: seed)
        guard let canon = repeated(first) else { return (first, .new) }
        var draws = [(first, canon)]
        for k in 1...Self.redraws {
            let again = space.sample(
                index: index, seed: SplitMix64.bits(seed: seed, UInt64(index), .max - 2 - UInt64(k)))
            guard let canon = repeated(again) else { return (again, .new) }
            draws.append((again, canon))
        }
        if let again = draws.first(where: { isRevisit(canonical: $0.1, revisit) }) { return (again.0, .revisit) }
        return (first, .repeat)
    }

    /// What a random draw found: a new configuration, a revisit, or only repeats (the first draw).
    private enum DrawKind {
        case new, revisit, `repeat`
    }

    /// The scheduler stopped `trial` at a rung below the top (the stopping variant): with `exhausted:
    /// rescue`, its configuration may be rescued once all its trials are stopped.
    mutating func stopped(_ trial: TrialID) {
        guard rescueConfig.indices.contains(trial) else { return }
        rescueOpen[Int(rescueConfig[trial])] -= 1
    }

    /// The stopping variant's rungs as a new trial of a bracket will meet them, given to `sample` for
    /// `exhausted: rescue` (see `TPEExhausted.rescue`). Read while sampling; nothing changes them then.
    struct Rescue {
        /// The rung resources of the new trial's bracket, lowest first.
        var resources: [Int]
        /// η.
        var eta: Int
        /// The number of entries at rung k.
        var count: (_ k: Int) -> Int
        /// The number of entries at rung k whose score is strictly better than `score`.
        var better: (_ score: UInt64, _ k: Int) -> Int
        /// The entry of 0-based rank i at rung k.
        var key: (_ i: Int, _ k: Int) -> RankKey
    }

    /// How many entries ranking after it rung k needs before a new entry of `score` would continue
    /// there (0: it would now). A new entry continues when fewer than ⌊n/η⌋ entries score strictly
    /// better (n counting it; ties continue), or below η entries. Not for non-finite scores (never rescued).
    private func deficit(_ score: UInt64, rung k: Int, _ rungs: Rescue) -> Int {
        let n = rungs.count(k) + 1
        if n < rungs.eta { return 0 }
        return max(0, rungs.eta * (rungs.better(score, k) + 1) - n)
    }

    /// A configuration the stopping variant stopped, as `rescueTrial` weighs it.
    private struct Stopped {
        /// Its latest trial, whose results stand for it.
        var trial: TrialID
        /// The highest rung where its result would stop it now, or the rung where it stopped when it
        /// would pass every rung it reached.
        var rung: Int
        /// Its result there.
        var key: RankKey
        /// The resource the entries it lacks would cost (see `rescueTrial`); 0 when it would pass now.
        var cost: Int
    }

    /// Under `exhausted: rescue`, the trial whose configuration a repeat in the stopping variant copies,
    /// or nil (then the `deepen` rule applies). Candidates are the configurations whose every trial was
    /// stopped, with the results of their latest trial, in the new trial's bracket.
    ///
    /// - The *target* is the one chosen before as long as it stays a candidate; else the most promising
    ///   candidate whose results would now pass every rung it reached, if any; else the most promising.
    /// - A target that would pass now is repeated: it trains further than before.
    /// - Else the repeat pads for it: it copies the trial with the worst result at the highest rung where
    ///   the target would stop now, among those whose results pass every rung below (it ranks after the
    ///   target there and stops, and that rung's cutoff loosens), until the target passes.
    ///
    /// The most promising candidate has the largest p / (cost + the resource of its next rung): p the
    /// model's probability that it is good, γl/(γl + (1 − γ)g) at its canonical configuration (γ without
    /// a model), and cost the resource of the entries it lacks, Σ_k d_k·e_k over the rungs where it would
    /// stop, d_k the entries it lacks there and e_k = r_k + (η − 1)·Σ_{i<k} e_i what one pad at rung k
    /// costs counting the pads its better results below make those rungs need. Ties: higher rung, then
    /// better result.
    private mutating func rescueTrial(_ rungs: Rescue) -> TrialID? {
        var effective: [Int] = []
        for r in rungs.resources {
            // Saturated far beyond any real cost: a rung ladder near Int.max must not trap.
            let below = effective.reduce(0) { min(Int.max / 4, $0 + $1) }
            let (extra, over) = (rungs.eta - 1).multipliedReportingOverflow(by: below)
            effective.append(over ? Int.max / 4 : min(Int.max / 4, r + extra))
        }
        // A target kept from the last repeat is weighed alone (the same entry the scan would find for it:
        // its configuration's latest trial, every trial stopped); the scan of every configuration, and the
        // model it needs, only when a new target is chosen.
        if let t = rescueTarget, rescueConfig.indices.contains(t), case let c = Int(rescueConfig[t]),
            rescueLatest[c] == t, rescueOpen[c] == 0, let kept = stoppedEntry(t, rungs, effective)
        {
            return rescuePad(kept, rungs)
        }
        var stopped: [Stopped] = []
        for (c, t) in rescueLatest.enumerated() where rescueOpen[c] == 0 {
            if let candidate = stoppedEntry(t, rungs, effective) { stopped.append(candidate) }
        }
        refitIfStale()
        var scratch: [Double] = []
        func promise(_ c: Stopped) -> Double {
            var p = settings.gamma
            if let model {
                let d = encoding.count
                let ratio = coordinates[(c.trial * d)..<((c.trial + 1) * d)].withUnsafeBufferPointer { x in
                    DeterministicMath.exp(
                        min(
                            700,
                            model.good.logDensity(x, scratch: &scratch) - model.bad.logDensity(x, scratch: &scratch)))
                }
                p = settings.gamma * ratio / (settings.gamma * ratio + 1 - settings.gamma)
            }
            return p / Double(c.cost + rungs.resources[c.rung + 1])
        }
        func mostPromising(_ cs: [Stopped]) -> Stopped? {
            // p ≤ 1, so 1 / (cost + next rung) bounds a candidate's promise: weighed in the order of that
            // bound, the rest are skipped once it falls below the best promise found (exactly the
            // candidate a full pass would take; equal bounds are all weighed, for the tie rule).
            var best: (Stopped, Double)?
            for c in cs.sorted(by: { $0.cost + rungs.resources[$0.rung + 1] < $1.cost + rungs.resources[$1.rung + 1] })
            {
                if let (_, bv) = best, 1 / Double(c.cost + rungs.resources[c.rung + 1]) < bv { break }
                let v = promise(c)
                guard let (b, bv) = best else {
                    best = (c, v)
                    continue
                }
                if v > bv || (v == bv && (c.rung > b.rung || (c.rung == b.rung && c.key < b.key))) { best = (c, v) }
            }
            return best?.0
        }
        guard let target = mostPromising(stopped.filter { $0.cost == 0 }) ?? mostPromising(stopped) else {
            rescueTarget = nil
            return nil
        }
        return rescuePad(target, rungs)
    }

    /// How the stopped configuration whose latest trial is `t` stands now (see `Stopped`), or nil when it
    /// is not a candidate (no results, a non-finite one, or none at the first rung). `effective`: what
    /// one pad costs at each rung (see `rescueTrial`).
    private func stoppedEntry(_ t: TrialID, _ rungs: Rescue, _ effective: [Int]) -> Stopped? {
        guard observed.indices.contains(t) else { return nil }
        var candidate: Stopped?
        var reached = 0
        // A configuration with a non-finite result is never rescued.
        guard observed[t].allSatisfy({ $0.score != RankKey.nonFiniteScore }) else { return nil }
        for (resource, score) in observed[t] {
            guard reached < rungs.resources.count - 1, rungs.resources[reached] == resource else { break }
            let d = deficit(score, rung: reached, rungs)
            if d > 0 {
                let (pads, over) = d.multipliedReportingOverflow(by: effective[reached])
                let cost = over ? Int.max / 4 : min(Int.max / 4, pads + (candidate?.cost ?? 0))
                candidate = Stopped(trial: t, rung: reached, key: RankKey(score: score, id: t), cost: cost)
            }
            reached += 1
        }
        if candidate == nil, reached > 0 {
            let score = observed[t][reached - 1].score
            candidate = Stopped(trial: t, rung: reached - 1, key: RankKey(score: score, id: t), cost: 0)
        }
        return candidate
    }

    /// The repeat for `target` (see `rescueTrial`): the target itself once it would pass, else a pad for
    /// it, which keeps it the target.
    private mutating func rescuePad(_ target: Stopped, _ rungs: Rescue) -> TrialID? {
        if target.cost == 0 {
            rescueTarget = nil
            return target.trial
        }
        rescueTarget = target.trial
        let k = target.rung
        var i = rungs.count(k) - 1
        while i >= 0 {
            let key = rungs.key(i, k)
            i -= 1
            guard key.isFinite else { continue }
            // Keys run from the worst down: the rest rank before the target.
            if key.score < target.key.score { break }
            guard observed.indices.contains(key.id) else { continue }
            let results = observed[key.id]
            let passes =
                results.count >= k
                && (0..<k).allSatisfy { j in
                    results[j].resource == rungs.resources[j] && deficit(results[j].score, rung: j, rungs) == 0
                }
            if passes { return key.id }
        }
        rescueTarget = nil
        return nil
    }

    /// The trial with the worst finite result recorded at rung resource `level` (the latest among equal
    /// values), or nil when none.
    private func worstTrial(at level: Int) -> TrialID? {
        levels[level]?.last(where: \.isFinite)?.id
    }

    /// The candidate with the largest l(x)/g(x) that is neither a near-duplicate of a configuration already
    /// sampled (see `TPESettings.minDistance`) nor, with `avoidDuplicates`, a duplicate of one (the same
    /// canonical configuration), or nil when every candidate is one; and then the best candidate that
    /// `revisit` allows, if any.
    private func propose(
        _ model: Model, rng: SplitMix64, revisit: Revisit
    ) -> (new: Configuration?, revisit: Configuration?) {
        var rng = rng
        var candidates: [(score: Double, x: [Double])] = []
        candidates.reserveCapacity(settings.candidates)
        var scratch: [Double] = []
        for _ in 0..<settings.candidates {
            let k = SplitMix64.index(rng.next(), below: model.good.kernels)
            let x = model.good.draw(kernel: k, factor: settings.bandwidthFactor, rng: &rng)
            let score = x.withUnsafeBufferPointer { p in
                model.good.logDensity(p, scratch: &scratch) - model.bad.logDensity(p, scratch: &scratch)
            }
            candidates.append((score, x))
        }
        // Best score first; the first drawn on ties (a stable order, the same on every machine).
        let order = candidates.indices.sorted {
            candidates[$0].score > candidates[$1].score
                || (candidates[$0].score == candidates[$1].score && $0 < $1)
        }
        var repeats: [(config: Configuration, canonical: Configuration)] = []
        for i in order where !isNearDuplicate(candidates[i].x) {
            let config = encoding.decode(candidates[i].x)
            guard let canon = repeated(config) else { return (config, nil) }
            repeats.append((config, canon))
        }
        return (nil, repeats.first { isRevisit(canonical: $0.canonical, revisit) }?.config)
    }

    /// Whether `x` lies within `minDistance` of a sampled configuration on every coordinate (a choice
    /// must be equal). Scans the configurations sampled so far, leaving each at its first coordinate
    /// that is far enough apart.
    private func isNearDuplicate(_ x: [Double]) -> Bool {
        let limit = settings.minDistance
        guard limit > 0 else { return false }
        let d = encoding.count
        let continuous = encoding.coordinates.map { $0.kind == .continuous }
        var start = 0
        while start < coordinates.count {
            var near = true
            for c in 0..<d {
                let delta = abs(coordinates[start + c] - x[c])
                if continuous[c] ? !(delta < limit) : delta != 0 {
                    near = false
                    break
                }
            }
            if near { return true }
            start += d
        }
        return false
    }

    private mutating func refitIfStale() {
        guard stale else { return }
        stale = false
        model = nil
        guard encoding.count > 0,
            let resource = levels.filter({ $0.value.count >= minPoints }).keys.max(),
            let keys = levels[resource]
        else { return }
        let kinds = encoding.coordinates.map(\.kind)
        switch settings.split {
        case .level:
            let n = keys.count
            let nGood = goodCount(of: n)
            model = Model(
                resource: resource, observations: n,
                good: density(Ranking([keys[0..<nGood].map(\.id)]), kinds: kinds),
                bad: density(Ranking([keys[nGood..<n].map(\.id)]), kinds: kinds))
        case .progress:
            // Trials with a result, by the highest level reached (higher first), then value there.
            var groups = frontier.keys.sorted(by: >).compactMap { level in frontier[level].map { $0.map(\.id) } }
            let ranked = Ranking(groups)
            let nGood = goodCount(of: ranked.count)
            groups.append(unreported)
            let all = Ranking(groups)
            model = Model(
                resource: resource, observations: ranked.count,
                good: density(all, range: 0..<nGood, kinds: kinds),
                bad: density(all, range: nGood..<all.count, kinds: kinds))
        }
    }

    /// The size of the good set among `n` ranked results: ⌈γ·n⌉, at least `minGood`, leaving `minGood`.
    private func goodCount(of n: Int) -> Int {
        min(n - minGood, max(minGood, Int((Double(n) * settings.gamma).rounded(.up))))
    }

    /// Trial ids in rank order, as consecutive groups (read without copying them into one array).
    private struct Ranking {
        let groups: [[Int]]
        let count: Int

        init(_ groups: [[Int]]) {
            self.groups = groups
            count = groups.reduce(0) { $0 + $1.count }
        }

        /// The id at rank `i` (0-based) of all the groups.
        subscript(i: Int) -> Int {
            var i = i
            for g in groups {
                if i < g.count { return g[i] }
                i -= g.count
            }
            preconditionFailure("rank \(i) beyond the ranking")
        }
    }

    /// The density of the trials at ranks `range` (all by default) of `ranking`, thinned evenly by rank
    /// to at most `maxKernels` kernels.
    private func density(
        _ ranking: Ranking, range: Range<Int>? = nil, kinds: [UnitEncoding.Kind]
    ) -> ParzenDensity {
        let range = range ?? 0..<ranking.count
        let d = encoding.count
        let m = min(range.count, settings.maxKernels)
        var points: [[Double]] = []
        points.reserveCapacity(m)
        for i in 0..<m {
            let id = ranking[range.lowerBound + i * range.count / m]
            points.append(Array(coordinates[(id * d)..<((id + 1) * d)]))
        }
        return ParzenDensity(points: points, size: range.count, kinds: kinds, floor: settings.minBandwidth)
    }
}
