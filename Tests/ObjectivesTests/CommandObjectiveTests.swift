import ASHA
import Foundation
import Testing

@testable import Objectives

@Suite("command objective: spec and protocol")
struct CommandObjectiveTests {
    @Test("run is split into words like a shell's simple command")
    func words() throws {
        #expect(try CommandWords.split("python3 train.py --flag") == ["python3", "train.py", "--flag"])
        #expect(
            try CommandWords.split(#"a 'b c' "d \"e\" \x" f\ g '' h"#) == ["a", "b c", #"d "e" \x"#, "f g", "", "h"])
        #expect(try CommandWords.split("  tabs\tand\nnewlines  ") == ["tabs", "and", "newlines"])
        #expect(try CommandWords.split("glob* ~home {a,b} 'x|y'") == ["glob*", "~home", "{a,b}", "x|y"])
    }

    @Test(
        "An empty or unparsable run is refused with an error naming the option",
        arguments: [
            ("", "option 'run' is empty"), ("   ", "option 'run' is empty"),
            ("python3 'train.py", "a single quote is not closed"),
            (#"python3 "train.py"#, "a double quote is not closed"), (#"python3 train.py \"#, "lone backslash"),
            ("python3 train.py | tee log", "unquoted '|'"), ("python3 $HOME/train.py", "unquoted '$'"),
        ])
    func badRun(run: String, problem: String) {
        let message = thrownMessage { _ = try ObjectiveCatalog.make(name: "command", options: ["run": .string(run)]) }
        #expect(message.contains("command: option 'run'"), "\(message)")
        #expect(message.contains(problem), "\(message)")
    }

    @Test("run is required, goal must be minimize or maximize, and options reach the objective")
    func options() throws {
        #expect(
            thrownMessage { _ = try ObjectiveCatalog.make(name: "command") }.contains("option 'run' is required"))
        #expect(
            thrownMessage {
                _ = try ObjectiveCatalog.make(name: "command", options: ["run": .string("x"), "goal": .string("down")])
            }.contains("option 'goal' must be minimize or maximize"))
        let objective = try ObjectiveCatalog.make(
            name: "command",
            options: [
                "run": .string("x"), "metric": .string("accuracy"), "goal": .string("maximize"),
                "max_resource": .int(27),
            ])
        #expect(objective.name == "command" && objective.metric == "accuracy" && objective.goal == .maximize)
        #expect(objective.maxResource == 27)
    }

    @Test("A relative program or file is resolved against the spec's directory; flags and PATH names are not")
    func paths() throws {
        let dir = try ScriptDirectory("", name: "train.py")
        defer { dir.cleanUp() }
        let a = try CommandObjective(run: "python3 train.py --data train.py data.csv", baseDirectory: dir.path)
        let resolved = URL(fileURLWithPath: dir.file("train.py")).standardizedFileURL.path
        #expect(a.argv == ["python3", resolved, "--data", resolved, "data.csv"])
        let b = try CommandObjective(run: "./bin/train -x", baseDirectory: dir.path)
        #expect(b.argv[0] == URL(fileURLWithPath: dir.path + "/bin/train").standardizedFileURL.path)
        #expect(b.argv[1] == "-x")
    }

    @Test("The configuration, seed and max_resource reach the child; one value comes back per step")
    func configReachesChild() throws {
        let dir = try ScriptDirectory(
            """
            import json, os, sys
            open(os.path.join(os.path.dirname(__file__), "env.txt"), "w").write(os.environ["ASHB_CONFIG"] + "|" + os.environ["ASHB_SEED"] + "|" + os.environ["ASHB_MAX_RESOURCE"])
            c = json.loads(os.environ["ASHB_CONFIG"])
            print("starting", file=sys.stderr)
            for r in range(1, int(os.environ["ASHB_MAX_RESOURCE"]) + 1):
                print(json.dumps({"resource": r, "value": c["x"] * r + c["n"], "seconds": 0.5, "note": [1, {}]}))
                print("")
                sys.stdout.flush()
            """, name: "train.py")
        defer { dir.cleanUp() }
        let objective = try CommandObjective(
            run: "python3 train.py", maxResource: 4, baseDirectory: dir.path)
        let config = config(["x": .double(0.25), "n": .int(3), "name": .string("a\"b\n"), "flag": .bool(true)])
        let trial = try objective.makeTrial(config: config, seed: 42)
        let steps = try run(trial, to: 4)
        #expect(steps == (1...4).map { Step(resource: $0, value: 0.25 * Double($0) + 3, cost: 0.5) })
        let env = dir.read("env.txt")
        #expect(env == #"{"x":0.25,"n":3,"name":"a\"b\n","flag":true}|42|4"#)
    }

    @Test(
        "A bad output line fails the trial with a message naming the line",
        arguments: [
            (
                #"echo '{"resource": 1, "value": 0.5}'; echo 'epoch 2: loss 0.4'"#,
                "stdout line 2 is not a step (it is not a JSON object): epoch 2: loss 0.4"
            ),
            (#"echo '{"resource": 1}'"#, #"stdout line 1 is not a step (it lacks "value"): {"resource": 1}"#),
            (#"echo '{"resource": 1.5, "value": 1}'"#, "stdout line 1 is not a step"),
            (#"echo '{"resource": "one", "value": 1}'"#, #"("resource" must be an integer)"#),
            (
                #"echo '{"resource": 2, "value": 1}'; echo '{"resource": 2, "value": 0.9}'"#,
                #"stdout line 2: resource 2 does not increase (previous 2): {"resource": 2, "value": 0.9}"#
            ),
            (#"echo '{"resource": 10, "value": 1}'"#, "resource 10 is beyond max_resource 9"),
            (#"echo '{"resource": 1, "value": 1, "seconds": -1}'"#, #""seconds" must be a finite number ≥ 0"#),
            (
                #"echo '{"resource": 1, "value": 1}'; head -c 1048576 /dev/zero | tr '\0' x; echo"#,
                "stdout line 2 is longer than 65536 bytes"
            ),
        ])
    func badLine(script: String, expected: String) throws {
        let dir = try ScriptDirectory(script + "\nsleep 1000\n")
        defer { dir.cleanUp() }
        let trial = try dir.objective().makeTrial(config: config([:]), seed: 1)
        let message = thrownMessage { _ = try run(trial, to: 9) }
        #expect(message.contains(expected), "\(message)")
        #expect(message.hasPrefix("command: sh train.sh (pid "), "\(message)")
        #expect(message.count < 1_000)
    }

    @Test("A non-finite value is data: the step returns it (the tuner fails the trial)")
    func nonFinite() throws {
        let dir = try ScriptDirectory(
            #"echo '{"resource": 1, "value": NaN}'; echo '{"resource": 2, "value": "-Infinity"}'"# + "\nsleep 1000\n")
        defer { dir.cleanUp() }
        let trial = try dir.objective().makeTrial(config: config([:]), seed: 1)
        #expect(try trial.step().value.isNaN)
        #expect(try trial.step().value == -.infinity)
    }

    @Test("A program that cannot be started is an error naming it")
    func cannotStart() throws {
        let objective = try CommandObjective(run: "/nonexistent/train --x")
        let message = thrownMessage { _ = try objective.makeTrial(config: config([:]), seed: 1) }
        #expect(message.contains("cannot start /nonexistent/train"), "\(message)")
    }
}
