import ASHA
import Foundation
import Objectives
import Testing

@Suite("Synthetic multi-fidelity functions")
struct SyntheticTests {
    @Test("Branin at each of its three minimisers gives 0.397887 at the maximum resource")
    func braninOptimum() throws {
        let objective = try SyntheticObjective(function: .branin)
        for x in SyntheticFunction.branin.minimizers {
            let steps = try run(objective.makeTrial(config: point(x), seed: 7), to: 81)
            #expect(steps.count == 81)
            #expect(abs(steps[80].value - 0.397_887) < 1e-5, "at \(x): \(steps[80].value)")
            #expect(steps[80].resource == 81)
        }
    }

    @Test("Hartmann6 at its minimiser gives -3.32237 at the maximum resource")
    func hartmannOptimum() throws {
        let objective = try SyntheticObjective(function: .hartmann6)
        let steps = try run(
            objective.makeTrial(config: point(SyntheticFunction.hartmann6.minimizers[0]), seed: 1), to: 81)
        #expect(abs(steps[80].value - -3.322_37) < 1e-4, "\(steps[80].value)")
    }

    @Test("Known points away from the optimum are worse than the optimum")
    func awayFromOptimum() {
        #expect(SyntheticFunction.branin([0, 0]) > 50)
        #expect(abs(SyntheticFunction.branin([0, 0]) - 55.602_112_642) < 1e-8)
        #expect(SyntheticFunction.hartmann6([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]) > -3.322_37 + 0.1)
    }

    @Test("The fidelity bias shrinks strictly with the resource and vanishes at the maximum")
    func biasShrinks() throws {
        let objective = try SyntheticObjective(function: .hartmann6)
        for x in [
            [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0.9, 0.1, 0.5, 0.5, 0.2, 0.7], SyntheticFunction.hartmann6.minimizers[0],
        ] {
            let f = SyntheticFunction.hartmann6(x)
            let gaps = try run(objective.makeTrial(config: point(x), seed: 3), to: 81).map { abs($0.value - f) }
            for r in 1..<80 {
                #expect(gaps[r] < gaps[r - 1], "at resource \(r + 1)")
            }
            #expect(gaps[0] > 0.5)
            #expect(gaps[80] < 1e-12)
        }
    }

    @Test("Rates differ across configurations, so learning curves can cross")
    func curvesCross() throws {
        let objective = try SyntheticObjective(function: .branin)
        var curves: [[Double]] = []
        for i in 0..<6 {
            for j in 0..<6 {
                let x = [-5 + 3 * Double(i), 3 * Double(j)]
                curves.append(try run(objective.makeTrial(config: point(x), seed: 0), to: 81).map(\.value))
            }
        }
        var crossings = 0
        for a in curves.indices {
            for b in curves.indices where a < b && (curves[a][2] < curves[b][2]) != (curves[a][80] < curves[b][80]) {
                crossings += 1
            }
        }
        #expect(crossings > 0)
    }

    @Test("Noise is deterministic per seed and resource, differs across seeds, and has the stated spread")
    func noise() throws {
        var settings = SyntheticSettings()
        settings.noise = 0.5
        let objective = try SyntheticObjective(function: .branin, settings: settings)
        let x = point([1, 2])
        let a = try run(objective.makeTrial(config: x, seed: 11), to: 20)
        let b = try run(objective.makeTrial(config: x, seed: 11), to: 20)
        let c = try run(objective.makeTrial(config: x, seed: 12), to: 20)
        #expect(a == b)
        #expect(a.map(\.value) != c.map(\.value))
        let f = SyntheticFunction.branin([1, 2])
        let residuals = try (0..<2000).map { seed in
            try run(objective.makeTrial(config: x, seed: UInt64(seed)), to: 81)[80].value - f
        }
        let mean = residuals.reduce(0, +) / 2000
        let std = (residuals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 1999).squareRoot()
        #expect(abs(mean) < 0.05)
        #expect(abs(std - 0.5) < 0.05)
    }

    @Test("Declared step costs: constant without sigma, log-normal with the given median with sigma")
    func costs() throws {
        var settings = SyntheticSettings()
        settings.costPerUnit = 0.2
        let constant = try SyntheticObjective(function: .branin, settings: settings)
        let steps = try run(constant.makeTrial(config: point([0, 0]), seed: 1), to: 10)
        #expect(steps.allSatisfy { $0.cost == 0.2 })
        settings.sigma = 1
        let spread = try SyntheticObjective(function: .branin, settings: settings)
        var costs: [Double] = []
        for seed in 0..<50 {
            costs += try run(spread.makeTrial(config: point([0, 0]), seed: UInt64(seed)), to: 81).map {
                $0.cost ?? .nan
            }
        }
        costs.sort()
        let median = costs[costs.count / 2]
        #expect(abs(median - 0.2) < 0.02)
        let logs = costs.map { log($0 / 0.2) }
        let sigma = (logs.map { $0 * $0 }.reduce(0, +) / Double(logs.count)).squareRoot()
        #expect(abs(sigma - 1) < 0.05)
        let again = try run(spread.makeTrial(config: point([0, 0]), seed: 3), to: 5)
        let repeated = try run(spread.makeTrial(config: point([0, 0]), seed: 3), to: 5)
        #expect(again == repeated)
    }

    @Test("fail_rate makes a seeded share of trials throw at a seeded step")
    func injectedFailures() throws {
        var settings = SyntheticSettings()
        settings.failRate = 0.3
        let objective = try SyntheticObjective(function: .branin, settings: settings)
        var failures: [UInt64: Int] = [:]
        for seed in UInt64(0)..<1000 {
            let trial = try objective.makeTrial(config: point([0, 0]), seed: seed)
            let text = message { _ = try run(trial, to: 81) }
            if !text.isEmpty {
                #expect(text.contains("injected failure at resource \(trial.resource + 1)"))
                failures[seed] = trial.resource
            }
        }
        #expect((250...350).contains(failures.count))
        for (seed, resource) in failures.prefix(20) {
            let trial = try objective.makeTrial(config: point([0, 0]), seed: seed)
            #expect(throws: ObjectiveError.self) { _ = try run(trial, to: 81) }
            #expect(trial.resource == resource)
        }
    }

    @Test("nan_rate makes a trial report NaN from a seeded step on, without throwing")
    func injectedDivergence() throws {
        var settings = SyntheticSettings()
        settings.nanRate = 1
        let objective = try SyntheticObjective(function: .hartmann6, settings: settings)
        let values = try run(objective.makeTrial(config: point([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]), seed: 5), to: 81)
            .map(\.value)
        let first = try #require(values.firstIndex { $0.isNaN })
        #expect(values[first...].allSatisfy { $0.isNaN })
        #expect(values[..<first].allSatisfy { $0.isFinite })
    }

    @Test("A coordinate that is missing, of the wrong type or outside the box is named in the error")
    func badCoordinates() throws {
        let objective = try SyntheticObjective(function: .branin)
        #expect(message { _ = try objective.makeTrial(config: point([1]), seed: 0) }.contains("'x2'"))
        let wrongType = message {
            _ = try objective.makeTrial(config: config(["x1": .double(1), "x2": .string("a")]), seed: 0)
        }
        #expect(wrongType.contains("'x2'") && wrongType.contains("number"))
        #expect(message { _ = try objective.makeTrial(config: point([11, 1]), seed: 0) }.contains("'x1'"))
        #expect(objective.defaultSpace.parameters.map(\.name) == ["x1", "x2"])
        #expect(objective.metric == "value" && objective.goal == .minimize && objective.maxResource == 81)
    }

    @Test("The zero objective is deterministic, costs nothing and approaches s(config)")
    func zero() throws {
        let objective = try ZeroObjective()
        let c = config(["x": .double(0.5), "n": .int(2), "flag": .bool(true), "name": .string("relu")])
        let a = try run(objective.makeTrial(config: c, seed: 1), to: 4)
        let b = try run(objective.makeTrial(config: c, seed: 2), to: 4)
        #expect(a == b)
        #expect(a.allSatisfy { $0.cost == 0 })
        #expect(a[3].value < a[0].value)
        let base = a[3].value - 0.25
        #expect(base > 0.25 + 4 + 1 && base < 0.25 + 4 + 2)
        #expect(abs(a[0].value - (base + 1)) < 1e-12)
    }
}
