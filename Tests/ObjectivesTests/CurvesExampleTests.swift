import ASHA
import Foundation
import Objectives
import Testing

/// `demos/curves-example.csv`, relative to this file.
private let examplePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../demos/curves-example.csv").standardized.path

/// The grid the example records: 6 learning rates × 2 widths × 2 batch sizes, momentum 0.9, l2 1e-4.
private let grid: [Configuration] = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0].flatMap { lr in
    [16, 64].flatMap { units in
        [32, 128].map { batch in
            config(["learning_rate": .double(lr), "hidden_units": .int(units), "batch_size": .int(batch)])
        }
    }
}

@Suite("demos/curves-example.csv")
struct CurvesExampleTests {
    /// Regenerates the example from real digits-mlp training (seed 1, every epoch to 81, wall-clock
    /// seconds per epoch). Runs only when ASHB_WRITE_CURVES_EXAMPLE is set:
    /// `ASHB_WRITE_CURVES_EXAMPLE=1 swift test --filter CurvesExampleTests`.
    @Test(
        "Regenerate the example from digits-mlp",
        .enabled(if: ProcessInfo.processInfo.environment["ASHB_WRITE_CURVES_EXAMPLE"] != nil))
    func regenerate() throws {
        let objective = try DigitsMLPObjective()
        var lines = ["learning_rate,hidden_units,batch_size,resource,validation_error,seconds"]
        for c in grid {
            let trial = try objective.makeTrial(config: c, seed: 1)
            let prefix = c.entries.map(\.value.description).joined(separator: ",")
            for _ in 1...81 {
                let start = Date()
                let step = try trial.step()
                let seconds = Date().timeIntervalSince(start)
                lines.append("\(prefix),\(step.resource),\(formatShort(step.value)),\(String(format: "%.4f", seconds))")
            }
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: examplePath))
        #expect(lines.count == 1 + grid.count * 81)
    }

    @Test("The shipped example parses: 24 recorded configurations, every epoch to 81, a good one among them")
    func exampleParses() throws {
        let objective = try CurvesObjective(path: examplePath, metric: "validation_error")
        #expect(objective.maxResource == 81)
        #expect(objective.defaultSpace.parameters.map(\.name) == ["learning_rate", "hidden_units", "batch_size"])
        var finals: [Double] = []
        for c in grid {
            #expect(try objective.recordedConfiguration(matching: c) == c)
            let steps = try run(objective.makeTrial(config: c, seed: 0), to: 81)
            #expect(steps.map(\.resource) == Array(1...81))
            finals.append(steps[80].value)
        }
        #expect(finals.min()! < 0.05)
        #expect(finals.max()! > 0.1)
    }
}
