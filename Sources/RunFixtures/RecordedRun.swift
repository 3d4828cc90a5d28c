import ASHA
import Foundation
import RunLog
import Tuner

/// Event streams recorded from the real tuner on the simulated clock, for tests, golden screens and
/// benchmarks: what the program really records and draws, and the same stream on every machine.
public enum RecordedRun {
    /// Runs `CurvesFixtureObjective` (R = 81, η = 3) with ASHA `variant` in `brackets` brackets on
    /// `workers` simulated workers, seed `seed`, sampling `count` trials. A few trials fail (seeded), the
    /// user kills one running trial and adds a worker a third of the way in. With `finish`, the stream
    /// goes on until the run has ended; without it, it stops shortly after the last trial is sampled
    /// (jobs still running).
    public static func events(
        count: Int, workers: Int = 4, brackets: Int = 1, seed: UInt64 = 42, finish: Bool = false,
        variant: Variant = .promotion
    ) -> [RunEvent] {
        let objective = CurvesFixtureObjective()
        let settings = SchedulerSettings(
            variant: variant, goal: .minimize, minResource: 1, maxResource: 81, reductionFactor: 3,
            brackets: brackets, seed: seed, maxTrials: count)
        let recorder = Recorder(count: count, workers: workers, finish: finish)
        // The settings and space are fixed and valid.
        let tuner = try! Tuner(
            objective: objective, space: objective.defaultSpace, settings: settings,
            options: TunerOptions(name: "recorded: curves on the simulated clock", workers: workers),
            backend: .simulated, sinks: [recorder])
        recorder.tuner = tuner
        _ = tuner.run()
        return recorder.kept
    }

    /// Keeps the events and plays the user's part (commands land between the simulation's events).
    private final class Recorder: EventSink, @unchecked Sendable {  // used by the simulation's one thread
        let count: Int
        let workers: Int
        let finish: Bool
        weak var tuner: Tuner?
        var kept: [RunEvent] = []
        private var cutAt: Int?
        private var cut = false
        private var killed = false
        private var added = false

        init(count: Int, workers: Int, finish: Bool) {
            self.count = count
            self.workers = workers
            self.finish = finish
        }

        func receive(_ event: RunEvent) {
            if cut { return }
            // Cut before a report once enough events are kept: no decision is left half-recorded.
            if let cutAt, kept.count >= cutAt, case .metric = event.body {
                cut = true
                tuner?.send(.stopRun(reason: "cut"))
                return
            }
            kept.append(event)
            switch event.body {
            case .trialSampled(let t, _, _, _):
                if !added, t >= count / 3, count >= 6 {
                    added = true
                    tuner?.send(.setWorkers(workers + 1))
                }
                if t == count - 1, !finish {
                    cutAt = kept.count + 2 * workers
                }
            case .jobStarted(let t, _, _, _, _) where !killed && t >= 4 && t >= count / 5:
                killed = true
                tuner?.send(.killTrial(t))
            default: break
            }
        }
    }
}
