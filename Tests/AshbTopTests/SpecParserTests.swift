import ASHA
import Testing

@testable import AshbTop

let goodSpec = """
    name: t
    objective: {name: branin, cost: 0.5}
    space:
      x1: {type: uniform, low: -5, high: 10}
      x2: {type: uniform, low: 0, high: 15, step: 0.5}
      n: {type: logint, low: 1, high: 64}
      act: {type: choice, values: [relu, tanh, 3, 2.5, true]}
      c: {type: constant, value: fixed}
    scheduler: {variant: stopping, min_resource: 2, max_resource: 50, eta: 4, min_early_stopping_rate: 1, brackets: 2}
    workers: 3
    budget: {trials: 100, total_resource: 5000, seconds: 60, trial_seconds: 5}
    seed: 18446744073709551615
    clock: simulated
    """

/// Parses `text` and returns the error it must raise.
func specError(_ text: String) -> SpecError? {
    do {
        _ = try SpecParser.parse(text)
        return nil
    } catch {
        return error
    }
}

@Suite struct SpecParserTests {
    @Test func readsEveryKey() throws {
        let s = try SpecParser.parse(goodSpec)
        #expect(s.name == "t")
        #expect(s.objective == "branin")
        #expect(s.objectiveOptions == ["cost": .double(0.5)])
        #expect(s.settings.variant == .stopping)
        #expect(s.settings.minResource == 2)
        #expect(s.settings.maxResource == 50)
        #expect(s.settings.reductionFactor == 4)
        #expect(s.settings.minEarlyStoppingRate == 1)
        #expect(s.settings.brackets == 2)
        #expect(s.settings.maxTrials == 100)
        #expect(s.settings.maxTotalResource == 5000)
        #expect(s.settings.seed == UInt64.max)
        #expect(s.workers == 3)
        #expect(s.maxSeconds == 60)
        #expect(s.trialSeconds == 5)
        #expect(s.simulated)
        let space = try #require(s.space)
        #expect(space.parameters.map(\.name) == ["x1", "x2", "n", "act", "c"])
        #expect(space.parameters[1].domain == .uniform(low: 0, high: 15, step: 0.5))
        #expect(space.parameters[2].domain == .logInt(low: 1, high: 64))
        #expect(
            space.parameters[3].domain
                == .choice([.string("relu"), .string("tanh"), .int(3), .double(2.5), .bool(true)]))
        #expect(space.parameters[4].domain == .constant(.string("fixed")))
    }

    /// Each mistake is an error naming the key and the line it is on.
    @Test(arguments: [
        ("objective: zero\nworkers: 2\nwrokers: 3\n", "wrokers", 3, "unknown key (did you mean 'workers'?)"),
        ("objective: zero\nworkers: many\n", "workers", 2, "whole number"),
        ("objective: zero\nworkers: 0\n", "workers", 2, "at least 1"),
        ("objective: zero\nspace:\n  lr: {type: uniform, low: 1, high: 0.5}\n", "space.lr", 3, "below high"),
        ("objective: zero\nspace:\n  lr: {type: loguniform, low: 0, high: 1}\n", "space.lr", 3, "low > 0"),
        ("objective: zero\nspace:\n  lr: {type: loguniform, low: -1, high: 1}\n", "space.lr", 3, "low > 0"),
        ("objective: zero\nspace:\n  act: {type: choice, values: []}\n", "space.act", 3, "at least one value"),
        ("objective: zero\nspace:\n  act: tanh\n", "space.act", 3, "{type: constant, value: tanh}"),
        ("objective: zero\nspace:\n  lr: {type: uniform, low: 0, high: .inf}\n", "space.lr.high", 3, "finite"),
        ("objective: zero\nspace:\n  lr: {type: uniform, low: 0}\n", "space.lr.high", 3, "required"),
        ("objective: zero\nspace:\n  lr: {type: normal, low: 0, high: 1}\n", "space.lr.type", 3, "unknown type"),
        (
            "objective: zero\nspace:\n  lr: {type: logunifrom, low: 0.1, high: 1}\n", "space.lr.type", 3,
            "unknown type 'logunifrom' (did you mean 'loguniform'?)"
        ),
        ("objective: zero\nspace:\n  lr: {type: int, low: 0, high: 1, step: 2}\n", "space.lr.step", 3, "unknown key"),
        ("objective: zero\nscheduler:\n  variant: fast\n", "scheduler.variant", 3, "promotion or stopping"),
        ("objective: zero\nscheduler:\n  eta: 1\n", "scheduler.eta", 3, "at least 2"),
        (
            "objective: zero\nscheduler:\n  min_resource: 9\n  max_resource: 3\n", "scheduler.max_resource", 4,
            "at least"
        ),
        ("objective: zero\nbudget:\n  seconds: -1\n", "budget.seconds", 3, "positive"),
        ("objective: zero\nbudget:\n  hours: 1\n", "budget.hours", 3, "unknown key"),
        ("objective: zero\nseed: -4\n", "seed", 2, "whole number"),
        ("objective: zero\nclock: fast\n", "clock", 2, "wall or simulated"),
        ("objective: zero\ngoal: smallest\n", "goal", 2, "minimize or maximize"),
        ("name: x\n", "objective", 1, "required"),
        ("objective: zero\nworkers: 1\nworkers: 2\n", "workers", 3, "twice"),
        ("objective: zero\nspace: [1, 2]\n", "space", 2, "mapping"),
    ])
    func mistakesNameKeyAndLine(text: String, key: String, line: Int, phrase: String) throws {
        let e = try #require(specError(text), "accepted: \(text)")
        #expect(e.key == key)
        #expect(e.line == line)
        #expect(e.description.contains(phrase))
        #expect(e.description.contains("line \(line)"))
    }

    @Test func keepCheckpointsIsBestUnlessTheSpecSaysAllOrNone() throws {
        #expect(try SpecParser.parse("objective: zero").keepCheckpoints == .best)
        #expect(try SpecParser.parse("objective: zero\nkeep_checkpoints: all").keepCheckpoints == .all)
        #expect(try SpecParser.parse("objective: zero\nkeep_checkpoints: none").keepCheckpoints == .none)
        let e = specError("objective: zero\nkeep_checkpoints: some")
        #expect(e?.key == "keep_checkpoints")
        #expect(e?.line == 2)
        #expect(e?.message == "must be best, all or none (got 'some')")
    }

    @Test func invalidYAMLNamesTheLine() throws {
        let e = try #require(specError("objective: zero\nspace:\n  x: {type: uniform, low: 0\n"))
        #expect(e.line != nil)
        #expect(e.description.contains("not valid YAML"))
    }

    @Test func emptyAndHugeSpecsAreRefused() throws {
        #expect(specError("")?.description.contains("empty") == true)
        let huge = "objective: zero\n# " + String(repeating: "x", count: SpecParser.maxBytes) + "\n"
        #expect(specError(huge)?.description.contains("larger than") == true)
    }

    @Test func theBuiltInDemoAndTheShippedDemosParse() throws {
        let demo = try SpecParser.parse(demoSpecText)
        #expect(demo.objective == "digits-mlp")
        #expect(demo.workers == 4)
    }

    @Test func readsTheSampler() throws {
        // No `sampler` key: tpe with its defaults (random before 2026-12-01), and the spec says it was not given.
        let unset = try SpecParser.parse("objective: branin\n")
        #expect(unset.settings.sampler == .tpe(TPESettings()))
        #expect(!unset.samplerGiven)
        #expect(try SpecParser.parse("objective: branin\nsampler: random\n").samplerGiven)
        #expect(try SpecParser.parse("objective: branin\nsampler: random\n").settings.sampler == .random)
        #expect(try SpecParser.parse("objective: branin\nsampler: tpe\n").settings.sampler == .tpe(TPESettings()))
        let full = try SpecParser.parse(
            "objective: branin\nsampler: {type: tpe, random_fraction: 0.5, min_points: 12, candidates: 32, gamma: 0.2}\n"
        )
        #expect(
            full.settings.sampler
                == .tpe(TPESettings(randomFraction: 0.5, minPoints: 12, candidates: 32, gamma: 0.2)))
        let repeats = try SpecParser.parse("objective: branin\nsampler: {type: tpe, avoid_duplicates: false}\n")
        #expect(repeats.settings.sampler == .tpe(TPESettings(avoidDuplicates: false)))
        #expect(TPESettings().avoidDuplicates)
        let progress = try SpecParser.parse("objective: branin\nsampler: {type: tpe, split: progress}\n")
        #expect(progress.settings.sampler == .tpe(TPESettings(split: .progress)))
        #expect(TPESettings().split == .level)
        let draw = try SpecParser.parse("objective: branin\nsampler: {type: tpe, exhausted: draw}\n")
        #expect(draw.settings.sampler == .tpe(TPESettings(exhausted: .draw)))
        #expect(TPESettings().exhausted == .rescue)
        let deepen = try SpecParser.parse("objective: branin\nsampler: {type: tpe, exhausted: deepen}\n")
        #expect(deepen.settings.sampler == .tpe(TPESettings(exhausted: .deepen)))
    }

    @Test(
        arguments: [
            ("sampler: bayes\n", "sampler", "must be random or tpe"),
            ("sampler: {type: grid}\n", "sampler.type", "must be random or tpe"),
            ("sampler: {random_fraction: 0.5}\n", "sampler.type", "required"),
            ("sampler: {type: tpe, gamma: 1.5}\n", "sampler.gamma", "(0, 1)"),
            ("sampler: {type: tpe, candidates: 0}\n", "sampler.candidates", "[1, 4096]"),
            ("sampler: {type: tpe, min_points: 2}\n", "sampler.min_points", "[3, 1000000]"),
            ("sampler: {type: tpe, bandwith: 2}\n", "sampler.bandwith", "unknown key"),
            ("sampler: {type: random, gamma: 0.2}\n", "sampler.gamma", "tpe sampler only"),
            ("sampler: {type: tpe, avoid_duplicates: 3}\n", "sampler.avoid_duplicates", "true or false"),
            ("sampler: {type: tpe, split: best}\n", "sampler.split", "progress or level"),
            ("sampler: {type: tpe, exhausted: pad}\n", "sampler.exhausted", "deepen or draw"),
            // A misspelt value or key names what it was given and the nearest right one.
            ("scheduler: {variant: promotoin}\n", "scheduler.variant", "(got 'promotoin'; did you mean 'promotion'?)"),
            ("sampler: {type: tpe, exhausted: resuce}\n", "sampler.exhausted", "did you mean 'rescue'?"),
            ("sampler: {type: tpe, gama: 0.2}\n", "sampler.gama", "unknown key (did you mean 'gamma'?)"),
            ("clock: simulate\n", "clock", "did you mean 'simulated'?"),
            ("goal: maximise\n", "goal", "did you mean 'maximize'?"),
        ])
    func specMistakesNameTheKeyLineAndNearestName(text: String, key: String, fragment: String) throws {
        let error = try #require(specError("objective: branin\n" + text))
        #expect(error.key == key)
        #expect(error.line == 2)
        #expect(error.message.contains(fragment), "\(error.message)")
    }

    /// A value far from every right one gets no guess.
    @Test func aFarValueGetsNoGuess() throws {
        let error = try #require(specError("objective: branin\nscheduler: {variant: hyperband}\n"))
        #expect(error.message == "must be promotion or stopping (got 'hyperband')", "\(error.message)")
    }
}

/// `gpus`, `gpus_per_worker` and `budget.max_failures`: read, checked, and turned into worker slots.
@Suite struct GPUSpecTests {
    private let command = "objective: {name: command, run: /bin/true, checkpoint: true}\n"

    @Test func readsGPUsAndMaxFailures() throws {
        let s = try SpecParser.parse(command + "gpus: [0, 1, GPU-8d2c]\nbudget: {max_failures: 3}\n")
        #expect(s.gpus == .devices(["0", "1", "GPU-8d2c"]))
        #expect(s.gpusLine == 2)
        #expect(s.maxFailures == 3)
        #expect(try SpecParser.parse(command + "gpus: auto\n").gpus == .auto)
        #expect(try SpecParser.parse(command).maxFailures == 10, "the default")
    }

    @Test(arguments: [
        ("gpus: 3\n", "'gpus': must be auto or a list"),
        ("gpus: [0, 0]\n", "device 0 is listed twice"),
        ("gpus: [\"0,1\"]\n", "a device id must be"),
        ("gpus: []\n", "must list 1 to 512 devices"),
        ("gpus_per_worker: 2\n", "'gpus_per_worker': needs 'gpus'"),
        ("budget: {max_failures: -1}\n", "'budget.max_failures'"),
    ])
    func badGPUKeysAreNamed(line: String, message: String) {
        let error = specError(command + line)
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        #expect(error?.line != nil)
    }

    private func load(_ text: String, workers: Int? = nil) throws -> Experiment {
        try Experiment.load(
            specText: text, label: "spec", baseDirectory: nil, seed: nil, workers: workers, simulate: false)
    }

    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func groupsBecomeWorkerSlots() throws {
        let e = try load(command + "gpus: [0, 1, 2, 3]\ngpus_per_worker: 2\n")
        #expect(e.spec.workers == 2, "workers default to the number of groups")
        #expect(e.maxWorkers == 2)
        #expect(
            message { _ = try load(command + "gpus: [0, 1, 2, 3]\ngpus_per_worker: 3\n") }.contains(
                "'gpus_per_worker': 3 does not divide the 4 device(s)"))
        #expect(message { _ = try load(command + "gpus: [0, 1]\nworkers: 3\n") }.contains("'workers': 3 workers"))
        #expect(message { _ = try load(command + "gpus: [0]\n", workers: 2) }.contains("'workers': 2 workers"))
        let noCheckpoint = "objective: {name: command, run: /bin/true}\ngpus: [0]\n"
        #expect(message { _ = try load(noCheckpoint) }.contains("line 2: 'gpus': GPUs are assigned to the command"))
        #expect(message { _ = try load("objective: branin\ngpus: [0]\n") }.contains("'gpus'"))
    }
}
