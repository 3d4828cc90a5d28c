import ASHA
import PropertyBased
import Testing

/// Random streams checked against `ReferenceModel`.
@Suite("Scheduler properties")
struct SchedulerPropertyTests {
    static let space = try! SearchSpace([Parameter(name: "x", domain: .uniform(low: 0, high: 1, step: nil))])

    static func settings(_ variant: Variant, seed: UInt64, goal: Goal = .minimize) -> SchedulerSettings {
        var rng = SplitMix64(seed: seed)
        let eta = 2 + Int(rng.next() % 3)
        return SchedulerSettings(
            variant: variant, goal: goal, minResource: 1, maxResource: 27, reductionFactor: eta,
            brackets: 1 + Int(rng.next() % 3), seed: seed)
    }

    /// A value with many ties and some NaN / infinities.
    static func value(_ rng: inout SplitMix64) -> Double {
        switch rng.next() % 40 {
        case 0: return .nan
        case 1: return .infinity
        case 2: return -.infinity
        default: return Double(rng.next() % 12) / 4
        }
    }

    @Test func promotionVariantFollowsThePapersRule() async {
        await propertyCheck(count: 100, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            let settings = Self.settings(.promotion, seed: seed)
            var s = try! ASHAScheduler(space: Self.space, settings: settings)
            var model = ReferenceModel(eta: settings.reductionFactor, goal: .minimize, ladders: s.ladders)
            let workers = 1 + Int(rng.next() % 4)
            var running: [Job] = []
            var interrupted: [TrialID] = []
            for _ in 0..<400 {
                while running.count < workers {
                    let expected = model.expectedPromotion()
                    guard let job = s.nextJob() else { break }
                    if let p = job.promotion {
                        // The promoted trial is the one the rule names, ranked within the top ⌊n/η⌋ now.
                        #expect(
                            expected?.trial == p.trial && expected?.bracket == p.bracket && expected?.rung == p.rung)
                        let n = model.entries[p.bracket][p.rung].count
                        #expect(p.rank == model.rank(p.trial, p.bracket, p.rung) && p.rank <= n / model.eta)
                        #expect(p.rungSize == n && p.cutoff == model.cutoff(p.bracket, p.rung))
                        #expect(model.promoted[p.bracket][p.rung].insert(p.trial).inserted, "promoted twice")
                        #expect(job.rung == p.rung + 1 && job.toResource == s.ladders[p.bracket][p.rung + 1])
                        model.waiting[p.trial] = nil
                    } else {
                        #expect(
                            expected == nil, "a new trial started while \(String(describing: expected)) was promotable")
                        #expect(job.isNew && job.rung == 0)
                    }
                    running.append(job)
                }
                if running.isEmpty && interrupted.isEmpty { break }
                let dice = rng.next() % 30
                if dice == 0, let victim = model.waiting.keys.sorted().first {
                    s.trialEnded(victim, outcome: .killed)
                    model.waiting[victim] = nil
                    continue
                }
                if dice == 1, !interrupted.isEmpty {
                    let job = s.resumeJob(for: interrupted.removeFirst())!
                    running.append(job)
                    continue
                }
                guard !running.isEmpty else { continue }
                let job = running.remove(at: Int(rng.next() % UInt64(running.count)))
                switch dice {
                case 2: s.trialEnded(job.trial, outcome: .failed)
                case 3:
                    s.jobInterrupted(job.trial)
                    interrupted.append(job.trial)
                default:
                    let v = Self.value(&rng)
                    let d = s.report(trial: job.trial, resource: job.toResource + Int(rng.next() % 2), value: v)!
                    model.record(job.trial, v, job.bracket, job.rung)
                    #expect(d.rank == model.rank(job.trial, job.bracket, job.rung))
                    #expect(d.rungSize == model.entries[job.bracket][job.rung].count)
                    #expect(d.cutoff == model.cutoff(job.bracket, job.rung))
                    let rung = model.entries[job.bracket][job.rung]
                    if rung.count >= model.eta && rung.contains(where: { $0.value.isFinite }) {
                        #expect(d.cutoff?.isFinite == true)  // NaN never becomes the cutoff
                    }
                    if d.action == .wait { model.waiting[job.trial] = (job.bracket, job.rung) }
                    #expect(v.isFinite || d.reason == .nonFiniteValue)
                }
            }
            for b in s.ladders.indices {
                for k in s.ladders[b].indices {
                    #expect(s.rungSize(bracket: b, rung: k) == model.entries[b][k].count)
                    #expect(s.promotedCount(bracket: b, rung: k) == model.promoted[b][k].count)
                }
            }
        }
    }

    @Test func stoppingVariantStopsOnlyBelowTheCutoff() async {
        await propertyCheck(count: 100, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            let settings = Self.settings(.stopping, seed: seed)
            var s = try! ASHAScheduler(space: Self.space, settings: settings)
            var model = ReferenceModel(eta: settings.reductionFactor, goal: .minimize, ladders: s.ladders)
            var running: [(job: Job, resource: Int)] = []
            for _ in 0..<500 {
                while running.count < 3, let job = s.nextJob() { running.append((job, 0)) }
                let i = Int(rng.next() % UInt64(running.count))
                let resource = running[i].resource + 1 + Int(rng.next() % 9)  // may skip rungs
                running[i].resource = resource
                let job = running[i].job
                let v = Self.value(&rng)
                let decisions = s.reportAll(trial: job.trial, resource: resource, value: v)
                for (j, d) in decisions.enumerated() {
                    model.record(job.trial, v, job.bracket, d.rung)
                    let n = model.entries[job.bracket][d.rung].count
                    let cutoff = model.cutoff(job.bracket, d.rung)
                    #expect(d.cutoff == cutoff && d.rank == model.rank(job.trial, job.bracket, d.rung))
                    let hasFinite = model.entries[job.bracket][d.rung].contains { $0.value.isFinite }
                    if n >= model.eta && hasFinite { #expect(cutoff?.isFinite == true) }  // NaN never the cutoff
                    let top = d.rung == s.ladders[job.bracket].count - 1
                    switch d.action {
                    case .stop:
                        // A stopped trial's value was not finite or worse than the cutoff.
                        #expect(!v.isFinite || (cutoff.map { Goal.minimize.isBetter($0, than: v) } ?? false))
                        #expect(j == decisions.count - 1 && !top)
                    case .continue:
                        #expect(v.isFinite && !top && (n < model.eta || !Goal.minimize.isBetter(cutoff!, than: v)))
                    case .complete:
                        #expect(top)
                    case .wait, .promote:
                        Issue.record("the stopping variant never waits nor promotes")
                    }
                    if j > 0 { #expect(d.rung == decisions[j - 1].rung + 1) }
                }
                if let last = decisions.last, last.action != .continue { running.remove(at: i) }
            }
        }
    }

    /// The same stream with values negated under `.maximize` takes the same decisions.
    @Test(arguments: Variant.allCases)
    func maximizeMirrorsMinimize(variant: Variant) async {
        await propertyCheck(count: 30, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            var lo = try! ASHAScheduler(space: Self.space, settings: Self.settings(variant, seed: seed))
            var hi = try! ASHAScheduler(
                space: Self.space, settings: Self.settings(variant, seed: seed, goal: .maximize))
            var running: [Job] = []
            for _ in 0..<300 {
                while running.count < 3, let a = lo.nextJob() {
                    let b = hi.nextJob()
                    #expect(a.trial == b?.trial && a.rung == b?.rung && a.promotion?.rank == b?.promotion?.rank)
                    running.append(a)
                }
                guard !running.isEmpty else { break }
                let job = running.remove(at: Int(rng.next() % UInt64(running.count)))
                let v = Self.value(&rng)
                let a = lo.reportAll(trial: job.trial, resource: job.toResource, value: v)
                let b = hi.reportAll(trial: job.trial, resource: job.toResource, value: -v)
                #expect(a.map(\.action) == b.map(\.action) && a.map(\.reason) == b.map(\.reason))
                #expect(a.map(\.rank) == b.map(\.rank) && a.map(\.rung) == b.map(\.rung))
                #expect(a.map { $0.cutoff.map { -$0 } } == b.map(\.cutoff))
            }
        }
    }

    @Test func bracketsFollowHyperbandsAllocation() throws {
        var s = try ASHAScheduler(
            space: Self.space, settings: SchedulerSettings(maxResource: 27, brackets: 3, seed: 5))
        #expect(s.ladders.map(\.count) == [4, 3, 2])
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[s.nextJob()!.bracket] += 1 }
        // Weights 3^3/4, 3^2/3, 3^1/2 = 6.75, 3, 1.5: shares 0.6, 0.267, 0.133.
        #expect(abs(Double(counts[0]) / 30_000 - 0.6) < 0.015)
        #expect(abs(Double(counts[1]) / 30_000 - 0.8 / 3) < 0.015)
        let replay = try ASHAScheduler(
            space: Self.space, settings: SchedulerSettings(maxResource: 27, brackets: 3, seed: 5))
        #expect(replay.bracket(of: 0) == nil)
        #expect((0..<100).map { s.bracket(of: $0)! } == (0..<100).map { s.bracket(of: $0)! })
    }

    @Test func sameCallsGiveTheSameResults() async {
        await propertyCheck(count: 20, input: Gen.uint64()) { seed in
            func run() -> [String] {
                var rng = SplitMix64(seed: seed)
                var s = try! ASHAScheduler(space: Self.space, settings: Self.settings(.promotion, seed: seed))
                var log: [String] = []
                for _ in 0..<200 {
                    guard let job = s.nextJob() else { break }
                    log.append("\(job)")
                    log.append(
                        "\(String(describing: s.report(trial: job.trial, resource: job.toResource, value: Self.value(&rng))))"
                    )
                }
                return log
            }
            #expect(run() == run())
        }
    }
}
