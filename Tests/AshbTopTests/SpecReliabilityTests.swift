import Foundation
import Testing

@testable import AshbTop

/// Specs that once crashed the program or escaped the usual spec errors (issue 10, items 4 and 8).
@Suite struct SpecReliabilityTests {
    /// A spec whose objective is `depth` nested flow lists.
    static func nestedFlow(_ depth: Int) -> String {
        "objective: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
    }

    @Test func deepFlowNestingIsASpecErrorWithItsLine() {
        let e = specError("name: deep\n" + Self.nestedFlow(5000))
        #expect(e?.line == 2)
        #expect(e?.message.contains("nested more than 64 levels") == true)
    }

    @Test(arguments: [
        // Compact block sequences, one line.
        "objective: branin\nspace:\n  x:\n    " + String(repeating: "- ", count: 3000) + "1\n",
        // Indented block mappings.
        "objective: branin\nspace:\n"
            + (1...100).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(
                separator: "\n") + " 1\n",
        // Flow mappings across lines.
        "objective: branin\nspace: " + String(repeating: "{a:\n", count: 200) + "1"
            + String(repeating: "}", count: 200),
    ])
    func deepBlockAndMultilineNestingIsRefused(text: String) {
        let e = specError(text)
        #expect(e?.message.contains("nested more than") == true, "\(String(describing: e).prefix(200))")
        #expect((e?.line ?? 0) >= 3)
    }

    @Test func ordinarySpecsAreNotCountedTooDeep() {
        #expect(SpecNesting.firstTooDeepLine(goodSpec) == nil)
        let plain = """
            name: brackets [[[[ in plain text {{{{
            objective: {name: command, run: "python3 x[1].py '[[[['", metric: loss}  # [[[[ comment
            space:
              note: {type: constant, value: '{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{'}
              text: |
                [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
                {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{
            workers: 2
            """
        #expect(SpecNesting.firstTooDeepLine(plain) == nil)
        #expect(SpecNesting.firstTooDeepLine(Self.nestedFlow(60)) == nil)
        #expect(SpecNesting.firstTooDeepLine(Self.nestedFlow(65)) == 1)
    }

    @Test func runAndResumeRefuseADeepSpecWithExitTwo() throws {
        let path = temporaryFile("n.yaml", Self.nestedFlow(5000))
        let r = try runAshbTop(["run", path, "--headless", "--runs-dir", newDirectory()])
        #expect(r.status == 2, "stderr: \(r.err)")
        #expect(r.err.contains("line 1: nested more than 64 levels"))

        // A log whose header holds such a spec.
        let run = newDirectory()
        let header =
            "{\"ashb_log\":1,\"program\":\"ashb-top 0.1.0\",\"seed\":\"1\",\"clock\":\"simulated\","
            + "\"base_directory\":null,\"spec\":\"\(Self.nestedFlow(5000).replacingOccurrences(of: "\n", with: "\\n"))\"}\n"
        try header.write(toFile: run + "/events.jsonl", atomically: true, encoding: .utf8)
        let resumed = try runAshbTop(["resume", run, "--headless"])
        #expect(resumed.status == 2, "stderr: \(resumed.err)")
        #expect(resumed.err.contains("(its spec): line 1: nested more than 64 levels"))
    }

    @Test func unreadableSpecsExitTwoLikeOtherSpecErrors() throws {
        let dir = newDirectory()
        let fifo = dir + "/fifo.yaml"
        #expect(mkfifo(fifo, 0o600) == 0)
        for (path, reason) in [
            (dir + "/missing.yaml", "no such file"), (dir, "not a regular file"), (fifo, "not a regular file"),
            ("/dev/zero", "not a regular file"),
        ] {
            let r = try runAshbTop(["run", path, "--headless", "--runs-dir", newDirectory()])
            #expect(r.status == 2, "\(path): \(r.err)")
            #expect(r.err.contains("cannot read the spec") && r.err.contains(reason), "\(path): \(r.err)")
        }
    }

    @Test func objectiveOptionErrorsNameTheirLine() throws {
        let text = """
            name: x
            objective:
              name: command
              metric: loss
              run: ""
            """
        let e = #expect(throws: CLIError.self) {
            _ = try Experiment.load(
                specText: text, label: "s.yaml", baseDirectory: nil, seed: nil, workers: nil, simulate: false)
        }
        #expect(e?.exitCode == 2)
        #expect(e?.description == "s.yaml: line 5: 'objective.run': command: option 'run' is empty")
        let unknown = #expect(throws: CLIError.self) {
            _ = try Experiment.load(
                specText: "objective: nosuch\n", label: "s.yaml", baseDirectory: nil, seed: nil, workers: nil,
                simulate: false)
        }
        #expect(unknown?.description.hasPrefix("s.yaml: line 1: 'objective': unknown objective 'nosuch';") == true)
        let misspelt = #expect(throws: CLIError.self) {
            _ = try Experiment.load(
                specText: "objective: brannin\n", label: "s.yaml", baseDirectory: nil, seed: nil, workers: nil,
                simulate: false)
        }
        #expect(
            misspelt?.description.hasPrefix(
                "s.yaml: line 1: 'objective': unknown objective 'brannin' (did you mean 'branin'?); valid objectives:")
                == true, "\(misspelt?.description ?? "")")
    }
}
