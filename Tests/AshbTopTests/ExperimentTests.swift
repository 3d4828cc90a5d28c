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
