import ASHA
import Foundation
import Objectives
import RunLog
import Testing

@testable import Tuner

/// An objective whose trials cannot even be made (a configuration it refuses): every trial fails as it
/// is sampled, before any job runs.
struct UnmakeableObjective: Objective {
    var name = "unmakeable"
    var metric = "loss"
    var goal = Goal.minimize
    var maxResource: Int? = nil
    var defaultSpace: SearchSpace {
        try! SearchSpace([Parameter(name: "x", domain: .uniform(low: 0, high: 1, step: nil))])
    }

    func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        throw BowlFailure()
    }
}

/// `budget.max_failures` stops the run also when trials fail as they are made (no job ever starts).
@Suite struct FailFastTests {
    @Test(
        "Trials that fail as they are made stop sampling at max_failures (was: every trial of the budget sampled and failed in one go, and with no trial budget the sampling never ended)",
        arguments: [Tuner.Backend.dispatch, .simulated])
    func failuresAtMakeStopSampling(backend: Tuner.Backend) throws {
        let objective = UnmakeableObjective()
        let recorder = Recorder()
        let tuner = try Tuner(
            objective: objective, space: objective.defaultSpace, settings: settings(.promotion, trials: 2_000),
            options: TunerOptions(name: "fail", workers: 2, maxFailures: 5), backend: backend, sinks: [recorder])
        let summary = tuner.run()
        #expect(summary.endReason?.contains("5 trials failed in a row") == true, "\(summary.endReason ?? "-")")
        let sampled = recorder.events.filter { if case .trialSampled = $0.body { true } else { false } }.count
        #expect(sampled == 5, "sampling stops with the fifth failure")
    }

    @Test(
        "With max_failures 0 and no trial budget, trials that all fail as they are made stop the run after 10,000 (was: sampling for ever, holding the tuner's lock)",
        arguments: [Tuner.Backend.dispatch, .simulated])
    func neverEndingFailuresAtMakeStop(backend: Tuner.Backend) throws {
        let objective = UnmakeableObjective()
        let recorder = Recorder()
        let settings = SchedulerSettings(
            variant: .promotion, goal: .minimize, minResource: 1, maxResource: 9, reductionFactor: 3, seed: 3,
            maxTrials: nil)
        let tuner = try Tuner(
            objective: objective, space: objective.defaultSpace, settings: settings,
            options: TunerOptions(name: "fail", workers: 2, maxFailures: nil), backend: backend, sinks: [recorder])
        let summary = tuner.run()
        #expect(summary.endReason?.contains("trials in a row could not be made") == true, "\(summary.endReason ?? "-")")
        let sampled = recorder.events.filter { if case .trialSampled = $0.body { true } else { false } }.count
        #expect(sampled == RunCore.unmadeInARowLimit)
    }
}
