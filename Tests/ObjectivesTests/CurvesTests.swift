import ASHA
import Foundation
import Objectives
import Testing

/// Two learning rates × two optimisers, one of them with an incomplete curve; rows of one
/// configuration are deliberately not adjacent.
private let table = """
    lr,optimizer,resource,error,seconds
    0.1,sgd,1,0.50,2.0
    0.1,sgd,3,0.30,4.0
    0.01,sgd,1,0.70,2.0
    0.1,sgd,9,0.20,12.0
    0.01,sgd,3,0.60,4.0
    0.01,sgd,9,0.40,12.0
    0.1,adam,1,0.45,2.5
    0.1,adam,3,0.25,5.0
    "0.01", "adam" ,1,0.65,2.5
    """

private func curves(_ text: String, limits: CSVLimits = CSVLimits()) throws -> CurvesObjective {
    try CurvesObjective(csv: Array(text.utf8), source: "t.csv", metric: "error", limits: limits)
}

private func failure(_ text: String, limits: CSVLimits = CSVLimits()) -> String {
    message { _ = try curves(text, limits: limits) }
}

@Suite("curves")
struct CurvesTests {
    @Test("A table parses into one curve per configuration, with a choice space per column")
    func parses() throws {
        let objective = try curves(table)
        #expect(objective.metric == "error" && objective.goal == .minimize)
        #expect(objective.maxResource == 9)
        let space = objective.defaultSpace.parameters
        #expect(space.map(\.name) == ["lr", "optimizer"])
        #expect(space[0].domain == .choice([.double(0.1), .double(0.01)]))
        #expect(space[1].domain == .choice([.string("sgd"), .string("adam")]))
    }

    @Test("An exact configuration replays its curve in resource order, with the recorded seconds as cost")
    func exactReplay() throws {
        let objective = try curves(table)
        let trial = try objective.makeTrial(
            config: config(["lr": .double(0.01), "optimizer": .string("sgd")]), seed: 0)
        let steps = try run(trial, to: 9)
        #expect(
            steps == [
                Step(resource: 1, value: 0.70, cost: 2), Step(resource: 3, value: 0.60, cost: 4),
                Step(resource: 9, value: 0.40, cost: 12),
            ])
        #expect(message { _ = try trial.step() }.contains("ends at resource 9"))
        #expect(message { _ = try trial.step() }.contains("t.csv:4"))
    }

    @Test("A curve that ends before the target throws at the step past its end")
    func shortCurve() throws {
        let objective = try curves(table)
        let trial = try objective.makeTrial(config: config(["lr": .int(0), "optimizer": .string("adam")]), seed: 0)
        #expect(try trial.step() == Step(resource: 1, value: 0.65, cost: 2.5))
        #expect(message { _ = try trial.step() }.contains("ends at resource 1"))
        #expect(trial.resource == 1)
    }

    @Test("Matching: exact first, else fewest categorical mismatches, then nearest normalised numeric distance")
    func matching() throws {
        let objective = try curves(table)
        func matched(_ lr: Double, _ optimizer: ParameterValue) throws -> Configuration {
            try objective.recordedConfiguration(matching: config(["lr": .double(lr), "optimizer": optimizer]))
        }
        #expect(try matched(0.1, .string("adam")) == config(["lr": .double(0.1), "optimizer": .string("adam")]))
        #expect(try matched(0.08, .string("sgd")) == config(["lr": .double(0.1), "optimizer": .string("sgd")]))
        #expect(try matched(0.03, .string("sgd")) == config(["lr": .double(0.01), "optimizer": .string("sgd")]))
        // No recorded "rmsprop": one mismatch either way, so the numerically nearest wins (sgd first in the file).
        #expect(try matched(0.09, .string("rmsprop")) == config(["lr": .double(0.1), "optimizer": .string("sgd")]))
        // Extra entries are ignored; a missing column or a non-number for a numeric column is an error.
        let extra = config(["lr": .double(0.1), "optimizer": .string("adam"), "seed": .int(3)])
        #expect(try objective.recordedConfiguration(matching: extra)["optimizer"] == .string("adam"))
        #expect(
            message { _ = try objective.makeTrial(config: config(["lr": .double(0.1)]), seed: 0) }.contains(
                "'optimizer'"))
        let wrong = config(["lr": .string("big"), "optimizer": .string("sgd")])
        #expect(message { _ = try objective.makeTrial(config: wrong, seed: 0) }.contains("'lr'"))
    }

    @Test("Integer and single-valued columns give int choices and constants")
    func columnKinds() throws {
        let objective = try curves("units,act,resource,error,seconds\n8,relu,1,0.5,1\n16,relu,1,0.4,1\n")
        #expect(objective.defaultSpace.parameters[0].domain == .choice([.int(8), .int(16)]))
        #expect(objective.defaultSpace.parameters[1].domain == .constant(.string("relu")))
        let trial = try objective.makeTrial(config: config(["units": .int(15), "act": .string("relu")]), seed: 0)
        #expect(try trial.step().value == 0.4)
    }

    @Test("Windows line ends, a byte order mark, blank lines and quoted fields are accepted")
    func lenientSyntax() throws {
        let bytes: [UInt8] =
            [0xEF, 0xBB, 0xBF] + Array("act,resource,error,seconds\r\n\r\n\"a \"\"b\"\"\",1,0.5,1\r\n".utf8)
        let objective = try CurvesObjective(csv: bytes, source: "w.csv", metric: "error")
        #expect(objective.defaultSpace.parameters.map(\.name) == ["act"])
        #expect(objective.defaultSpace.parameters[0].domain == .constant(.string("a \"b\"")))
    }

    @Test("NaN and infinite metrics are replayed as they are")
    func nonFiniteMetrics() throws {
        let objective = try curves("x,resource,error,seconds\n1,1,nan,1\n1,2,inf,1\n")
        let steps = try run(objective.makeTrial(config: config(["x": .int(1)]), seed: 0), to: 2)
        #expect(steps[0].value.isNaN && steps[1].value == .infinity)
    }

    @Test("Each malformed table is refused with the file, line and column")
    func malformed() {
        let header = "lr,resource,error,seconds\n"
        #expect(failure("lr,resource,error\n0.1,1,0.5\n").contains("t.csv:1: missing column 'seconds'"))
        #expect(failure("lr,epoch,error,seconds\n").contains("missing column 'resource'"))
        #expect(failure(header).contains("t.csv: no data rows"))
        #expect(failure("").contains("t.csv: empty file"))
        #expect(
            failure(header + "0.1,1,0.5,1\n0.1,2,abc,1\n").contains(
                "t.csv:3: column 'error' (3): 'abc' is not a number"))
        #expect(
            failure(header + "0.1,0,0.5,1\n").contains("t.csv:2: column 'resource' (2): '0' is not a positive integer"))
        #expect(failure(header + "0.1,1.5,0.5,1\n").contains("t.csv:2: column 'resource' (2)"))
        #expect(failure(header + "0.1,1,0.5,-1\n").contains("t.csv:2: column 'seconds' (4)"))
        #expect(failure(header + "0.1,1,0.5,1\n,2,0.5,1\n").contains("t.csv:3: column 'lr' (1): empty value"))
        #expect(failure(header + "0.1,1,0.5\n").contains("t.csv:2: expected 4 fields as in the header, found 3"))
        #expect(
            failure(header + "0.1,1,0.5,1\n\n0.1,1,0.4,1\n").contains(
                "t.csv:4: column 'resource' (2): resource 1 already recorded for this configuration on line 2"))
        #expect(failure(header + "\"0.1,1,0.5,1\n").contains("t.csv:2: column 1: unterminated quote"))
        #expect(failure(header + "0\"1,1,0.5,1\n").contains("t.csv:2: column 1: quote inside an unquoted field"))
        #expect(failure("lr,lr,resource,error,seconds\n").contains("t.csv:1: column 2 repeats the name 'lr'"))
        #expect(failure("lr,,resource,error,seconds\n").contains("t.csv:1: column 2 has no name"))
    }

    @Test("Inputs beyond the limits are refused")
    func limits() {
        var limits = CSVLimits()
        limits.maxRows = 2
        let header = "lr,resource,error,seconds\n"
        #expect(failure(header + "1,1,0.5,1\n1,2,0.5,1\n", limits: limits).isEmpty)
        #expect(
            failure(header + "1,1,0.5,1\n1,2,0.5,1\n1,3,0.5,1\n", limits: limits).contains(
                "t.csv:4: more than 2 data rows"))
        limits.maxFieldBytes = 8
        #expect(
            failure(header + "123456789,1,0.5,1\n", limits: limits).contains(
                "t.csv:2: column 1: field longer than 8 bytes"))
        limits.maxBytes = 10
        #expect(failure(header, limits: limits).contains("larger than 10 bytes"))
    }

    @Test("A file is read from disk, and a missing file is named")
    func fromFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("curves-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("c.csv").path
        try Data(table.utf8).write(to: URL(fileURLWithPath: path))
        let objective = try CurvesObjective(path: path, metric: "error", goal: .maximize)
        #expect(objective.goal == .maximize && objective.maxResource == 9)
        #expect(message { _ = try CurvesObjective(path: path + ".missing") }.contains("c.csv.missing"))
        var limits = CSVLimits()
        limits.maxBytes = 100
        #expect(
            message { _ = try CurvesObjective(path: path, metric: "error", limits: limits) }.contains(
                "more than the limit"))
    }
}
