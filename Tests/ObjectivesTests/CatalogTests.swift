import ASHA
import Foundation
import Objectives
import Testing

@Suite("ObjectiveCatalog")
struct CatalogTests {
    @Test("The catalog lists every built-in objective with a summary and documented options")
    func listing() {
        #expect(
            ObjectiveCatalog.names == [
                "digits-mlp", "branin", "hartmann6", "lognormal-sleep", "zero", "curves", "command",
            ])
        for entry in ObjectiveCatalog.entries {
            #expect(!entry.summary.isEmpty)
            #expect(entry.options.allSatisfy { !$0.summary.isEmpty })
            #expect(Set(entry.options.map(\.key)).count == entry.options.count, "\(entry.name) repeats an option")
        }
        let curves = ObjectiveCatalog.entries.first { $0.name == "curves" }!
        #expect(
            curves.options[0].description == "path (string, required): the CSV file; relative to the spec's directory")
        #expect(curves.options[1].description.hasPrefix("metric (string, default metric): "))
    }

    @Test("The listing names each hyperparameter an objective reads, with its allowed values and default")
    func hyperparameters() {
        let digits = ObjectiveCatalog.entries.first { $0.name == "digits-mlp" }!
        #expect(digits.hyperparameters.contains("activation: one of relu, tanh (default relu)"))
        #expect(digits.hyperparameters.contains("momentum: a number in [0, 1) (default 0.9)"))
        #expect(digits.hyperparameters.count == 6)
        let branin = ObjectiveCatalog.entries.first { $0.name == "branin" }!
        #expect(
            branin.hyperparameters == ["x1: a number in [-5, 10] (required)", "x2: a number in [0, 15] (required)"])
        #expect(ObjectiveCatalog.entries.first { $0.name == "zero" }!.hyperparameters.isEmpty)
    }

    @Test("digits-mlp checks a space against its rules: a constant it refuses is named")
    func digitsSpaceCheck() throws {
        let objective = try DigitsMLPObjective(maxResource: 1)
        let space = try SearchSpace([Parameter(name: "learning_rate", domain: .constant(.double(0.1)))])
        _ = try objective.configured(for: space)
        #expect(throws: SpaceParameterError.self) {
            try objective.configured(
                for: SearchSpace([Parameter(name: "activation", domain: .constant(.string("sigmoidd")))]))
        }
    }

    @Test("Every objective but curves and command can be made with its defaults, and reports its name and metric")
    func defaults() throws {
        for entry in ObjectiveCatalog.entries where !["curves", "command"].contains(entry.name) {
            let objective = try ObjectiveCatalog.make(name: entry.name, options: [:], baseDirectory: nil)
            #expect(objective.name == entry.name)
            #expect(objective.metric == entry.metric)
            #expect(objective.goal == .minimize)
            #expect(objective.maxResource == 81)
            #expect(!objective.defaultSpace.parameters.isEmpty)
        }
    }

    @Test("Options reach the objective: an int given as a double, a bool, a log-normal median")
    func optionsApply() throws {
        let branin = try ObjectiveCatalog.make(
            name: "branin", options: ["max_resource": .double(27), "cost": .int(2), "noise": .double(0.1)])
        #expect(branin.maxResource == 27)
        let step = try branin.makeTrial(config: point([0, 0]), seed: 0).step()
        #expect(step.cost == 2)
        let sleepy = try #require(
            try ObjectiveCatalog.make(
                name: "lognormal-sleep", options: ["median_seconds": .double(0.25), "sleep": .bool(false)])
                as? SyntheticObjective)
        #expect(sleepy.settings.costPerUnit == 0.25 && sleepy.settings.sigma == 0.5 && !sleepy.settings.sleep)
        #expect(sleepy.function.name == "branin")
    }

    @Test("An unknown name lists the valid names")
    func unknownName() {
        let text = message { _ = try ObjectiveCatalog.make(name: "mnist", options: [:], baseDirectory: nil) }
        #expect(text.contains("'mnist'"))
        #expect(text.contains("digits-mlp, branin, hartmann6, lognormal-sleep, zero, curves"))
    }

    @Test("An unknown option, a wrong type, an out-of-range value or a missing required option names the key")
    func badOptions() {
        let cases: [(String, [String: ParameterValue], String)] = [
            (
                "branin", ["nosie": .double(1)],
                "unknown option 'nosie' (did you mean 'noise'?); valid options: cost, sigma, sleep"
            ),
            ("branin", ["noise": .string("high")], "option 'noise' must be a double, got string \"high\""),
            ("hartmann6", ["sleep": .int(1)], "option 'sleep' must be a bool"),
            ("zero", ["max_resource": .double(2.5)], "option 'max_resource' must be an int"),
            ("branin", ["fail_rate": .double(2)], "option 'fail_rate' must be in [0, 1]"),
            ("digits-mlp", ["validation_fraction": .double(1)], "option 'validation_fraction'"),
            ("curves", [:], "option 'path' is required"),
            ("curves", ["path": .string("x.csv"), "goal": .string("up")], "option 'goal'"),
        ]
        for (name, options, expected) in cases {
            let text = message { _ = try ObjectiveCatalog.make(name: name, options: options, baseDirectory: nil) }
            #expect(text.contains(expected), "\(name) \(options): \(text)")
        }
    }

    @Test("curves resolves a relative path against the base directory")
    func relativePath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("a,resource,acc,seconds\n1,1,0.5,1\n".utf8).write(to: directory.appendingPathComponent("c.csv"))
        let objective = try ObjectiveCatalog.make(
            name: "curves", options: ["path": .string("c.csv"), "metric": .string("acc"), "goal": .string("maximize")],
            baseDirectory: directory.path)
        #expect(objective.metric == "acc" && objective.goal == .maximize && objective.maxResource == 1)
        let missing = message {
            _ = try ObjectiveCatalog.make(
                name: "curves", options: ["path": .string("c.csv")], baseDirectory: "/nonexistent")
        }
        #expect(missing.contains("/nonexistent/c.csv"))
    }
}

/// `closest(to:among:)`, the guess behind every "did you mean": near names only, a swap of two
/// neighbouring letters counting as one edit.
@Suite struct NearestNameTests {
    @Test func nearNamesOnly() {
        let objectives = ["digits-mlp", "branin", "hartmann6", "lognormal-sleep", "zero", "curves", "command"]
        #expect(closest(to: "brannin", among: objectives) == "branin")
        #expect(closest(to: "Branin", among: objectives) == "branin")
        #expect(closest(to: "slrum", among: ["local", "slurm"]) == "slurm")
        #expect(closest(to: "promotoin", among: ["promotion", "stopping"]) == "promotion")
        #expect(closest(to: "hyperband", among: ["promotion", "stopping"]) == nil)
        #expect(closest(to: "", among: ["local", "slurm"]) == nil)
        #expect(closest(to: "x", among: []) == nil)
        // The nearest of two candidates wins.
        #expect(closest(to: "curve", among: ["curves", "command"]) == "curves")
    }
}
