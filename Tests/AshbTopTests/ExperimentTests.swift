import ASHA
import Foundation
import Testing
import TextSafety

@testable import AshbTop

func temporaryFile(_ name: String, _ text: String) -> String {
    let dir = NSTemporaryDirectory() + "ashb-cli-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
}

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

@Suite struct ExperimentTests {
    func loadError(_ text: String) -> String? {
        do {
            _ = try Experiment.load(specPath: temporaryFile("s.yaml", text), seed: nil, workers: nil, simulate: false)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func unknownObjectiveListsTheValidNames() throws {
        let e = try #require(loadError("objective: magic\n"))
        #expect(e.contains("'objective'"))
        #expect(e.contains("digits-mlp"))
    }

    @Test func unknownObjectiveOptionIsNamed() throws {
        let e = try #require(loadError("objective: {name: branin, speed: 3}\n"))
        #expect(e.contains("speed"))
    }

    @Test func aMetricTheObjectiveDoesNotReportIsRefused() throws {
        let e = try #require(loadError("objective: branin\nmetric: accuracy\n"))
        #expect(e.contains("line 2: 'metric': branin reports 'value', not 'accuracy'"))
        #expect(loadError("objective: branin\nmetric: value\n") == nil)
    }

    @Test func maxResourceBeyondTheObjectiveIsRefused() throws {
        let e = try #require(loadError("objective: {name: branin, max_resource: 27}\nscheduler: {max_resource: 81}\n"))
        #expect(e.contains("scheduler.max_resource"))
    }

    /// A value the objective refuses, given in the space, is a spec error naming the key, the value and
    /// what is allowed (it used to pass, and every trial failed).
    @Test func aValueTheObjectiveRefusesIsASpecError() throws {
        let digits = "objective: digits-mlp\nspace:\n  learning_rate: {type: loguniform, low: 0.001, high: 1}\n"
        let cases: [(String, String)] = [
            (
                digits + "  activation: {type: constant, value: sigmoidd}\n",
                "line 4: 'space.activation': digits-mlp: 'sigmoidd' is not allowed; 'activation' must be one of relu, tanh"
            ),
            (
                digits + "  activation: {type: choice, values: [relu, sigmoid]}\n",
                "line 4: 'space.activation': digits-mlp: 'sigmoid' is not allowed; 'activation' must be one of relu, tanh"
            ),
            (
                digits + "  momentum: {type: uniform, low: 0.5, high: 1}\n",
                "line 4: 'space.momentum': digits-mlp: high 1 is out of range; 'momentum' must be a number in [0, 1)"
            ),
            (
                digits + "  batch_size: {type: uniform, low: 16, high: 128}\n",
                "line 4: 'space.batch_size': digits-mlp: a real range gives numbers that are not integers"
            ),
            (
                digits + "  hidden_units: {type: constant, value: many}\n",
                "line 4: 'space.hidden_units': digits-mlp: string \"many\" is not an integer"
            ),
            (
                "objective: branin\nspace:\n  x1: {type: uniform, low: -5, high: 10}\n",
                "line 2: 'space': branin needs hyperparameter 'x2' (a number in [0, 15]); the space lacks it"
            ),
            (
                digits + "  learning_rat: {type: uniform, low: 0.1, high: 0.2}\n",
                "line 4: 'space.learning_rat': digits-mlp has no hyperparameter 'learning_rat' (did you mean "
                    + "'learning_rate'?); it reads learning_rate, momentum, l2, batch_size, hidden_units, activation"
            ),
            (
                "objective: branin\nspace:\n  x1: {type: uniform, low: -5, high: 10}\n  x_2: {type: uniform, low: 0, high: 1}\n",
                "line 4: 'space.x_2': branin has no hyperparameter 'x_2' (did you mean 'x2'?); it reads x1, x2"
            ),
            (
                "objective: branin\nspace:\n  depth: {type: int, low: 1, high: 4}\n",
                "line 3: 'space.depth': branin has no hyperparameter 'depth'; it reads x1, x2"
            ),
            (
                "objective: branin\nspace:\n  x1: {type: uniform, low: -5, high: 20}\n  x2: {type: constant, value: 1}\n",
                "line 3: 'space.x1': branin: high 20 is out of range; 'x1' must be a number in [-5, 10]"
            ),
        ]
        for (spec, message) in cases {
            let e = try #require(loadError(spec), "accepted: \(spec)")
            #expect(e.contains(message), "\(e)")
        }
        // What the objectives accept still loads: tanh, integer grids, the README's space.
        #expect(loadError(digits + "  activation: {type: constant, value: tanh}\n") == nil)
        #expect(loadError(digits + "  batch_size: {type: uniform, low: 16, high: 128, step: 16}\n") == nil)
        #expect(loadError(digits + "  momentum: {type: uniform, low: 0.0, high: 0.95, step: 0.05}\n") == nil)
        #expect(
            loadError(
                "objective: branin\nspace:\n  x1: {type: constant, value: 1}\n  x2: {type: int, low: 0, high: 15}\n")
                == nil)
    }

    /// A run recorded before unknown names were refused still resumes: the name stays in its space, left
    /// out of the objective's check (and its rule's other checks still apply).
    @Test func aResumedRunKeepsANameItsObjectiveDoesNotRead() throws {
        let text = "objective: branin\nspace:\n  x1: {type: uniform, low: -5, high: 10}\n"
        func load(_ extra: String, resumed: Bool) throws -> Experiment {
            try Experiment.load(
                specText: text + extra, label: "spec", baseDirectory: nil, seed: nil, workers: nil, simulate: true,
                unknownNames: resumed)
        }
        let typo = "  x_2: {type: uniform, low: 0, high: 1}\n  x2: {type: uniform, low: 0, high: 15}\n"
        #expect(throws: CLIError.self) { try load(typo, resumed: false) }
        #expect(try load(typo, resumed: true).space.parameters.map(\.name) == ["x1", "x_2", "x2"])
        #expect(throws: CLIError.self) { try load("  x_2: {type: uniform, low: 0, high: 1}\n", resumed: true) }
        #expect(throws: CLIError.self) {
            try load(
                "  x_2: {type: uniform, low: 0, high: 1}\n  x2: {type: uniform, low: 0, high: 99}\n", resumed: true)
        }
    }

    @Test func missingSpecFileIsAClearError() throws {
        do {
            _ = try Experiment.load(specPath: "/nonexistent/spec.yaml", seed: nil, workers: nil, simulate: false)
            Issue.record("a missing spec was accepted")
        } catch {
            #expect("\(error)".contains("cannot read the spec '/nonexistent/spec.yaml'"))
        }
    }

    @Test func aTopLevelKeepCheckpointsRulesACommandsDirectoriesToo() throws {
        let command = """
            objective: {name: command, run: "true", metric: loss, checkpoint: true, keep_checkpoints: best}
            """
        let own = try Experiment.load(
            specText: command, label: "s", baseDirectory: nil, seed: nil, workers: nil, simulate: false)
        #expect(own.keepCheckpoints == .best)
        #expect(own.spec.keepCheckpoints == .best)
        let ruled = try Experiment.load(
            specText: command + "\nkeep_checkpoints: all", label: "s", baseDirectory: nil, seed: nil, workers: nil,
            simulate: false)
        #expect(ruled.keepCheckpoints == .all)
        #expect(ruled.spec.keepCheckpoints == .all)
    }

    @Test func overridesApplyAndTheGoalComesFromTheObjective() throws {
        let x = try Experiment.load(
            specPath: temporaryFile("s.yaml", "objective: branin\nseed: 1\nworkers: 2\n"), seed: 99, workers: 5,
            simulate: true)
        #expect(x.settings.seed == 99)
        #expect(x.spec.workers == 5)
        #expect(x.spec.simulated)
        #expect(x.settings.goal == .minimize)
        #expect(x.space.parameters.map(\.name) == ["x1", "x2"])
    }

    @Test func everyShippedDemoLoads() throws {
        let demos = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/demos")
            .filter { $0.hasSuffix(".yaml") }
        #expect(demos.count >= 3)
        for d in demos {
            let x = try Experiment.load(
                specPath: repositoryRoot + "/demos/" + d, seed: nil, workers: nil, simulate: false)
            #expect(!x.spec.name.isEmpty)
        }
        // demos/digits.yaml is the built-in demo, word for word apart from comments.
        let file = try String(contentsOfFile: repositoryRoot + "/demos/digits.yaml", encoding: .utf8)
        let a = try SpecParser.parse(file)
        let b = try SpecParser.parse(demoSpecText)
        #expect(a.space == b.space)
        #expect(a.settings == b.settings)
        #expect(a.workers == b.workers && a.maxSeconds == b.maxSeconds && a.objective == b.objective)
    }

    @Test func exportQuotesAndDefusesFields() {
        #expect(ExportCommand.csvField("plain") == "plain")
        #expect(ExportCommand.csvField("a,b") == "\"a,b\"")
        #expect(ExportCommand.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(ExportCommand.csvField("=cmd()") == "'=cmd()")
        #expect(ExportCommand.csvField("-1.5") == "-1.5")
        #expect(ExportCommand.csvField("-x") == "'-x")
    }
}
