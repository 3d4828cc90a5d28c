import ASHA
import Objectives
import Testing

private func table(_ text: String, neighbors: Int = 1, space: SearchSpace? = nil) throws -> any Objective {
    let objective = try CurvesObjective(csv: Array(text.utf8), source: "t.csv", metric: "error", neighbors: neighbors)
    return try space.map { try objective.configured(for: $0) } ?? objective
}

private func matched(_ objective: any Objective, _ c: Configuration) throws -> Configuration {
    try #require(objective as? CurvesObjective).recordedConfiguration(matching: c)
}

private func space(_ parameters: [Parameter]) -> SearchSpace { try! SearchSpace(parameters) }

@Suite("curves: matching in the space's scale")
struct CurvesMatchingTests {
    static let logSpace = space([
        Parameter(name: "lr", domain: .logUniform(low: 1e-4, high: 1, step: nil)),
        Parameter(name: "units", domain: .int(low: 10, high: 20)),
    ])

    @Test("A log-scale column decides the match: two tables that differ only in its value match differently")
    func logScaleDecides() throws {
        let query = config(["lr": .double(0.01), "units": .int(15)])
        // lr 1e-4 is two decades from the query: far in log scale, though 0.0099 away on a linear scale.
        let far = try table(
            "lr,units,resource,error,seconds\n0.0001,15,1,0.1,1\n0.01,14,1,0.2,1\n", space: Self.logSpace)
        #expect(try matched(far, query) == config(["lr": .double(0.01), "units": .int(14)]))
        let near = try table(
            "lr,units,resource,error,seconds\n0.009,15,1,0.1,1\n0.01,14,1,0.2,1\n", space: Self.logSpace)
        #expect(try matched(near, query) == config(["lr": .double(0.009), "units": .int(15)]))
        // The same first table on the space's linear bounds would pick lr 1e-4 (the units column decides).
        let linear = space([
            Parameter(name: "lr", domain: .uniform(low: 1e-4, high: 1, step: nil)),
            Parameter(name: "units", domain: .int(low: 10, high: 20)),
        ])
        let flat = try table("lr,units,resource,error,seconds\n0.0001,15,1,0.1,1\n0.01,14,1,0.2,1\n", space: linear)
        #expect(try matched(flat, query) == config(["lr": .double(0.0001), "units": .int(15)]))
        #expect(
            try #require(far as? CurvesObjective).matchingRules.map(\.rule) == ["log", "linear"])
    }

    @Test("A space name that is no column of the table is refused, with the nearest column")
    func aNameThatIsNoColumnIsRefused() throws {
        let csv = "lr,units,resource,error,seconds\n0.01,15,1,0.1,1\n"
        let typo = space([Parameter(name: "unit", domain: .int(low: 10, high: 20))])
        let e = try #require(throws: SpaceParameterError.self) { try table(csv, space: typo) }
        #expect(e.isUnknown && e.parameter == "unit")
        #expect(
            e.message == "curves: the table has no column 'unit' (did you mean 'units'?); its columns are lr, units")
        _ = try table(csv, space: Self.logSpace)
    }

    @Test("The ranges come from the spec's space, not from the recorded values")
    func boundsFromTheSpace() throws {
        let text = "x,y,resource,error,seconds\n0,5,1,0.1,1\n3,0,1,0.2,1\n"
        let query = config(["x": .double(0), "y": .double(0)])
        let wideY = space([
            Parameter(name: "x", domain: .uniform(low: 0, high: 10, step: nil)),
            Parameter(name: "y", domain: .uniform(low: 0, high: 100, step: nil)),
        ])
        let wideX = space([
            Parameter(name: "x", domain: .uniform(low: 0, high: 100, step: nil)),
            Parameter(name: "y", domain: .uniform(low: 0, high: 10, step: nil)),
        ])
        #expect(try matched(table(text, space: wideY), query) == config(["x": .int(0), "y": .int(5)]))
        #expect(try matched(table(text, space: wideX), query) == config(["x": .int(3), "y": .int(0)]))
        // A column the space does not tune is measured over its recorded range.
        let onlyX = space([Parameter(name: "x", domain: .uniform(low: 0, high: 100, step: nil))])
        let objective = try #require(try table(text, space: onlyX) as? CurvesObjective)
        #expect(objective.matchingRules.map(\.rule) == ["linear", "linear"])
        #expect(try objective.recordedConfiguration(matching: query) == config(["x": .int(3), "y": .int(0)]))
    }

    @Test("A choice over numbers is categorical: equal, or a mismatch, never 'nearer'")
    func numericChoiceIsCategorical() throws {
        let text = "batch,x,resource,error,seconds\n16,0.9,1,0.1,1\n128,0.1,1,0.2,1\n"
        let choice = space([
            Parameter(name: "batch", domain: .choice([.int(16), .int(32), .int(128)])),
            Parameter(name: "x", domain: .uniform(low: 0, high: 1, step: nil)),
        ])
        let objective = try table(text, space: choice)
        // 32 is recorded nowhere: one mismatch either way, so x decides.
        #expect(try matched(objective, config(["batch": .int(32), "x": .double(0.2)]))["batch"] == .int(128))
        // An equal choice beats a nearer x.
        #expect(try matched(objective, config(["batch": .int(16), "x": .double(0.2)]))["batch"] == .int(16))
        // Without the space, batch is a number measured over its recorded range: 32 is nearer to 16.
        #expect(try matched(table(text), config(["batch": .int(32), "x": .double(0.5)]))["batch"] == .int(16))
    }

    @Test("neighbors: 3 follows the inverse-distance-weighted average of the 3 nearest curves")
    func weightedAverage() throws {
        // x = 4 records no resource 2, so the average has points at 1 and 3 only.
        let text = """
            x,resource,error,seconds
            1,1,0.9,1
            1,2,0.8,1
            1,3,0.7,1
            2,1,0.6,2
            2,2,0.5,2
            2,3,0.4,2
            4,1,0.3,4
            4,3,0.1,8
            9,1,1.0,9
            9,2,1.0,9
            9,3,1.0,9
            """
        let line = space([Parameter(name: "x", domain: .uniform(low: 0, high: 10, step: nil))])
        let objective = try table(text, neighbors: 3, space: line)
        let trial = try objective.makeTrial(config: config(["x": .double(2.4)]), seed: 0)
        let steps = try run(trial, to: 3)
        // Distances in the unit scale: x=2 0.04, x=1 0.14, x=4 0.16 (x=9 is the fourth).
        let w = [1 / 0.04, 1 / 0.14, 1 / 0.16]
        let total = w.reduce(0, +)
        func mean(_ xs: [Double]) -> Double { zip(w, xs).map(*).reduce(0, +) / total }
        #expect(steps.map(\.resource) == [1, 3])
        #expect(abs(steps[0].value - mean([0.6, 0.9, 0.3])) < 1e-12)
        #expect(abs(steps[1].value - mean([0.4, 0.7, 0.1])) < 1e-12)
        // Seconds: the weighted cumulative time to each point, then the difference.
        let c1 = mean([2, 1, 4])
        let c3 = mean([6, 3, 12])
        #expect(abs((steps[0].cost ?? -1) - c1) < 1e-12)
        #expect(abs((steps[1].cost ?? -1) - (c3 - c1)) < 1e-12)
        #expect(trial.note?.contains("weighted average of t.csv lines 5") == true)
        // An exact match is followed alone, whatever k.
        let exact = try objective.makeTrial(config: config(["x": .double(4)]), seed: 0)
        #expect(try run(exact, to: 3).map(\.value) == [0.3, 0.1])
    }

    @Test("The trial's note names the recorded line and the distance")
    func note() throws {
        let objective = try table("x,resource,error,seconds\n0,1,0.5,1\n1,1,0.4,1\n")
        let trial = try objective.makeTrial(config: config(["x": .double(0.25)]), seed: 0)
        #expect(trial.note == "follows t.csv:2 (distance 0.25)")
    }

    @Test("A log-scale column that records a value ≤ 0 is refused, naming the line; neighbors are bounded")
    func refused() {
        #expect(
            message {
                _ = try table("lr,units,resource,error,seconds\n0.1,12,1,0.5,1\n0,12,1,0.5,1\n", space: Self.logSpace)
            }.contains("t.csv:3: column 'lr' holds 0"))
        #expect(message { _ = try table("x,resource,error,seconds\n0,1,0.5,1\n", neighbors: 0) }.contains("neighbors"))
    }
}
