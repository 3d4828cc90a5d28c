import ASHA
import Foundation
import Objectives
import RunLog

@testable import Tuner

/// A test objective: the value falls with the resource towards a floor set by the configuration's `x`
/// (best near x = 0.3). Options make steps slow, failing or non-finite for chosen trials.
struct BowlObjective: Objective {
    var name = "bowl"
    var metric = "loss"
    var goal = Goal.minimize
    var maxResource: Int? = nil
    /// Seconds each step sleeps on the real pool (0: none).
    var sleep = 0.0
    /// Declared cost per step for the simulated clock.
    var cost = 1.0
    /// Configurations whose x is below this throw at their second step.
    var failBelow = -1.0
    /// Configurations whose x is above this report NaN at their first step.
    var nanAbove = 2.0
    /// Declare each step's cost as 1 + x (distinct per configuration) instead of `cost`.
    var costFromX = false
    /// When > 0, `canonicalConfiguration` rounds x to this grid (the sampler then treats configurations in
    /// one cell as the same); values and costs still follow the sampled x.
    var canonicalStep = 0.0

    func canonicalConfiguration(_ config: Configuration) -> Configuration {
        guard canonicalStep > 0, let x = config["x"]?.doubleValue else { return config }
        return Configuration([.init(name: "x", value: .double((x / canonicalStep).rounded() * canonicalStep))])
    }

    var defaultSpace: SearchSpace {
        try! SearchSpace([Parameter(name: "x", domain: .uniform(low: 0, high: 1, step: nil))])
    }

    func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        BowlTrial(x: config["x"]?.doubleValue ?? 0.5, objective: self)
    }
}

struct BowlFailure: Error, CustomStringConvertible {
    var description: String { "the bowl cracked" }
}

final class BowlTrial: ObjectiveTrial, @unchecked Sendable {
    let x: Double
    let objective: BowlObjective
    private(set) var resource = 0

    init(x: Double, objective: BowlObjective) {
        self.x = x
        self.objective = objective
    }

    func step() throws -> Step {
        if objective.sleep > 0 { Thread.sleep(forTimeInterval: objective.sleep) }
        if x < objective.failBelow && resource == 1 { throw BowlFailure() }
        resource += 1
        let cost = objective.costFromX ? 1 + x : objective.cost
        if x > objective.nanAbove { return Step(resource: resource, value: .nan, cost: cost) }
        let floor = (x - 0.3) * (x - 0.3)
        return Step(resource: resource, value: floor + 1.0 / Double(resource), cost: cost)
    }
}

/// Keeps every event; can react to events by sending commands (asynchronously, as a dashboard does).
final class Recorder: EventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var list: [RunEvent] = []
    var onEvent: (@Sendable (RunEvent) -> Void)?

    func receive(_ event: RunEvent) {
        lock.lock()
        list.append(event)
        lock.unlock()
        onEvent?(event)
    }

    var events: [RunEvent] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }

    /// Waits (polling) until an event matches, or the deadline passes.
    func waitFor(seconds: Double = 20, _ match: (RunEvent) -> Bool) -> RunEvent? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let e = events.first(where: match) { return e }
            Thread.sleep(forTimeInterval: 0.002)
        }
        return nil
    }
}

/// The log line of each event, for byte-exact comparisons.
func encoded(_ events: [RunEvent]) -> [String] {
    events.map { e in
        var w = JSONWriter()
        EventCodec.encode(e, into: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

func settings(
    _ variant: Variant, trials: Int = 60, maxResource: Int = 27, brackets: Int = 1, seed: UInt64 = 11
) -> SchedulerSettings {
    SchedulerSettings(
        variant: variant, goal: .minimize, minResource: 1, maxResource: maxResource, reductionFactor: 3,
        brackets: brackets, seed: seed, maxTrials: trials)
}

func makeTuner(
    _ s: SchedulerSettings, objective: BowlObjective = BowlObjective(), workers: Int = 4,
    backend: Tuner.Backend = .simulated, maxSeconds: Double? = nil, sinks: [any EventSink]
) throws -> Tuner {
    try Tuner(
        objective: objective, space: objective.defaultSpace, settings: s,
        options: TunerOptions(name: "test", workers: workers, maxSeconds: maxSeconds), backend: backend, sinks: sinks)
}
