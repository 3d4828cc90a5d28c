import ASHA
import Foundation
import Objectives
import Testing

@Suite("digits-mlp")
struct DigitsTests {
    @Test("The bundled data loads once: 1797 images of 64 scaled pixels, 10 classes")
    func dataLoads() throws {
        let data = try DigitsData.shared.get()
        #expect(data.count == 1797)
        #expect(data.features.count == 1797 * 64)
        #expect(Set(data.labels) == Set(0..<10))
        #expect(data.features.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(data.features.contains(1))
        // The first row of the file: 0,0,5,13,9,1,0,0,… label 0.
        let expected: [Float] = [0, 0, 0.3125, 0.8125]  // 5/16, 13/16
        #expect(Array(data.features.prefix(4)) == expected)
        #expect(data.labels[0] == 0)
    }

    @Test("A malformed digits file is refused with the line")
    func malformedData() {
        let short = Array("1,2,3\n".utf8)
        #expect(message { _ = try DigitsData(csv: short, source: "d.csv") }.contains("d.csv:1: expected 65 fields"))
        let row = Array(repeating: "0", count: 64).joined(separator: ",")
        let badLabel = Array("\(row),3\n\(row),12\n".utf8)
        #expect(message { _ = try DigitsData(csv: badLabel, source: "d.csv") }.contains("d.csv:2: label 12"))
        let letter = Array("\(row),x\n".utf8)
        #expect(message { _ = try DigitsData(csv: letter, source: "d.csv") }.contains("d.csv:1: unexpected character"))
        #expect(message { _ = try DigitsData(csv: [], source: "d.csv") }.contains("no rows"))
    }

    @Test("The split is fixed: 1258 training and 539 validation images for every objective")
    func split() throws {
        let objective = try DigitsMLPObjective()
        #expect(objective.splitSizes == (1258, 539))
        #expect(objective.metric == "validation_error" && objective.goal == .minimize && objective.maxResource == 81)
        #expect(
            objective.defaultSpace.parameters.map(\.name) == [
                "learning_rate", "hidden_units", "l2", "batch_size", "momentum",
            ])
    }

    @Test("Training the defaults for 10 epochs brings validation error far below chance (0.9)")
    func learns() throws {
        let objective = try DigitsMLPObjective()
        let steps = try run(objective.makeTrial(config: Configuration([]), seed: 1), to: 10)
        #expect(steps.map(\.resource) == Array(1...10))
        #expect(steps.allSatisfy { $0.cost == nil })
        #expect(steps[0].value < 0.3)
        #expect(steps[9].value < 0.08, "validation error after 10 epochs: \(steps[9].value)")
    }

    @Test("A tiny learning rate without momentum learns much more slowly than the defaults")
    func learningRateMatters() throws {
        let objective = try DigitsMLPObjective()
        let slow = config(["learning_rate": .double(0.001), "momentum": .double(0), "hidden_units": .int(16)])
        let steps = try run(objective.makeTrial(config: slow, seed: 1), to: 3)
        #expect(steps[2].value > 0.5)
    }

    @Test("Same seed and configuration give identical curves; another seed gives another curve")
    func deterministic() throws {
        let objective = try DigitsMLPObjective()
        let c = config(["learning_rate": .double(0.05), "hidden_units": .int(24), "batch_size": .int(64)])
        let a = try run(objective.makeTrial(config: c, seed: 42), to: 4)
        let b = try run(objective.makeTrial(config: c, seed: 42), to: 4)
        let other = try run(objective.makeTrial(config: c, seed: 43), to: 4)
        #expect(a == b)
        #expect(a != other)
    }

    @Test("A trial paused between steps (others training meanwhile) continues exactly as if never paused")
    func pauseAndContinue() throws {
        let objective = try DigitsMLPObjective()
        let c = config(["hidden_units": .int(16), "momentum": .double(0.5), "l2": .double(0.001)])
        let straight = try run(objective.makeTrial(config: c, seed: 9), to: 6)
        let paused = try objective.makeTrial(config: c, seed: 9)
        var resumed = try run(paused, to: 3)
        _ = try run(objective.makeTrial(config: c, seed: 10), to: 2)
        #expect(paused.resource == 3)
        resumed += try run(paused, to: 6)
        #expect(resumed == straight)
        // A restarted trial (training from scratch) is not the same as a continued one.
        let restarted = try run(objective.makeTrial(config: c, seed: 9), to: 3).map(\.value)
        #expect(restarted != straight[3...].map(\.value))
    }

    @Test("tanh hidden units train too")
    func tanhActivation() throws {
        let objective = try DigitsMLPObjective()
        let steps = try run(objective.makeTrial(config: config(["activation": .string("tanh")]), seed: 1), to: 3)
        #expect(steps[2].value < 0.15)
    }

    @Test("A hyperparameter of the wrong type or out of range is named in the error")
    func badHyperparameters() throws {
        let objective = try DigitsMLPObjective()
        let cases: [(Configuration, String)] = [
            (config(["learning_rate": .string("fast")]), "'learning_rate'"),
            (config(["hidden_units": .double(2.5)]), "'hidden_units'"),
            (config(["hidden_units": .int(0)]), "'hidden_units'"),
            (config(["batch_size": .bool(true)]), "'batch_size'"),
            (config(["momentum": .double(1)]), "'momentum'"),
            (config(["l2": .double(-1)]), "'l2'"),
            (config(["activation": .string("sigmoid")]), "'activation'"),
        ]
        for (c, key) in cases {
            #expect(message { _ = try objective.makeTrial(config: c, seed: 0) }.contains(key), "\(c)")
        }
        // Integral doubles are accepted where an integer is expected.
        _ = try objective.makeTrial(config: config(["hidden_units": .double(12), "batch_size": .double(16)]), seed: 0)
    }
}
