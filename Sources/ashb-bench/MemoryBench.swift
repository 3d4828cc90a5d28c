import ASHA
import Dispatch
import Foundation
import Objectives
import RunLog
import Tuner

/// `ashb-bench memory`: resident memory of a run holding many paused trials.
///
/// Every trial trains one step and is then paused by a user command (a sink sends `pauseTrial` when it
/// sees the trial's `job_started`, as a dashboard would), so at the end of the run every trial is paused
/// and keeps its trainable state in memory. Simulated clock, 8 virtual workers, promotion variant,
/// η = 3, R = 81, the log on. Two cases:
/// - `zero`: the zero-cost objective, whose trial state is a few bytes: the tuner's own cost per trial.
/// - `digits`: each trial holds a real, freshly initialised `digits-mlp` network (weights, momentum,
///   gradient buffers and its shuffle order; hidden units drawn from the default space, 8–128) but its
///   step returns at once instead of training an epoch. The per-trial cost is extrapolated to 100,000.
///
/// RSS is read from `/proc/self/status` after the run, with the tuner (and so every trial) alive.
struct MemoryBench {
    var cases = ["zero", "digits"]
    var zeroTrials = 100_000
    var digitsTrials = 10_000

    init(arguments: [String]) throws {
        var cases = self.cases
        var zeroTrials = self.zeroTrials
        var digitsTrials = self.digitsTrials
        try parseOptions(
            arguments,
            [
                "--cases": { v in cases = v.split(separator: ",").map(String.init) },
                "--zero-trials": { zeroTrials = try positiveInt($0, "--zero-trials") },
                "--digits-trials": { digitsTrials = try positiveInt($0, "--digits-trials") },
            ])
        self.cases = cases
        self.zeroTrials = zeroTrials
        self.digitsTrials = digitsTrials
    }

    struct Measurement {
        var name: String
        var trials: Int
        var paused: Int
        var baseline: Double
        var rss: Double
        var hwm: Double
        var seconds: Double
        var checkpointBytes: Int
        var bytesPerTrial: Double { (rss - baseline) * 1_048_576 / Double(trials) }
        var extrapolatedMiB: Double { baseline + bytesPerTrial * 100_000 / 1_048_576 }
    }

    func run() throws {
        var results: [Measurement] = []
        for name in cases {
            switch name {
            case "zero":
                let objective = try ObjectiveCatalog.make(name: "zero", options: ["max_resource": .int(81)])
                results.append(try once(name: name, objective: objective, trials: zeroTrials))
            case "digits":
                let objective = HeldDigitsObjective(inner: try DigitsMLPObjective(maxResource: 81))
                results.append(try once(name: name, objective: objective, trials: digitsTrials))
            default:
                throw BenchUsageError(description: "unknown case \(name) (cases: zero, digits)")
            }
        }
        print("Paused trials in memory: simulated clock, 8 workers, promotion, log on; MiB")
        printTable(
            [
                "case", "trials", "paused", "seconds", "baseline", "RSS", "HWM", "bytes/trial", "checkpoint B",
                "at 100,000",
            ],
            results.map { m in
                [
                    m.name, "\(m.trials)", "\(m.paused)", fixed(m.seconds, 2), fixed(m.baseline, 1), fixed(m.rss, 1),
                    fixed(m.hwm, 1), "\(Int(m.bytesPerTrial))", "\(m.checkpointBytes)", fixed(m.extrapolatedMiB, 0),
                ]
            })
        for m in results {
            print(
                "bench=memory case=\(m.name) trials=\(m.trials) paused=\(m.paused) rss_mib=\(fixed(m.rss, 1)) "
                    + "hwm_mib=\(fixed(m.hwm, 1)) bytes_per_trial=\(Int(m.bytesPerTrial)) "
                    + "checkpoint_bytes=\(m.checkpointBytes) rss_mib_at_100000=\(fixed(m.extrapolatedMiB, 0))")
        }
    }

    func once(name: String, objective: any Objective, trials: Int) throws -> Measurement {
        let baseline = residentMemory().rss
        let settings = SchedulerSettings(
            variant: .promotion, minResource: 1, maxResource: 81, reductionFactor: 3, seed: 7, maxTrials: trials)
        let log = try temporaryLog("memory", seed: 7)
        let pauser = PauseEveryJob()
        let tuner = try Tuner(
            objective: objective, space: objective.defaultSpace, settings: settings,
            options: TunerOptions(name: "memory", workers: 8), backend: .simulated, sinks: [log, pauser])
        pauser.tuner = tuner
        let t0 = monotonicSeconds()
        let summary = tuner.run()
        let seconds = monotonicSeconds() - t0
        discard(log)
        let memory = residentMemory()
        // One trial's checkpoint: what spilling a paused trial to disk would write.
        let sample = try objective.makeTrial(
            config: objective.defaultSpace.parameters.isEmpty ? Configuration([]) : sampleConfig(objective), seed: 1)
        _ = try sample.step()
        let checkpointBytes = sample.checkpoint()?.count ?? 0
        return withExtendedLifetime(tuner) {
            Measurement(
                name: name, trials: trials, paused: summary.counts[.paused] ?? 0, baseline: baseline,
                rss: memory.rss, hwm: memory.hwm, seconds: seconds, checkpointBytes: checkpointBytes)
        }
    }

    /// A configuration of the objective's default space (the first one a scheduler samples).
    private func sampleConfig(_ objective: any Objective) throws -> Configuration {
        var scheduler = try ASHAScheduler(space: objective.defaultSpace, settings: SchedulerSettings(seed: 1))
        guard let job = scheduler.nextJob(), let config = scheduler.configuration(of: job.trial) else {
            return Configuration([])
        }
        return config
    }
}

/// Pauses each trial as its first job starts (the command is applied after the job's first step).
final class PauseEveryJob: EventSink, @unchecked Sendable {
    weak var tuner: Tuner?
    private var seen = Set<TrialID>()

    func receive(_ event: RunEvent) {
        guard case .jobStarted(let trial, _, _, _, _) = event.body, seen.insert(trial).inserted else { return }
        // Under the simulated clock `send` only queues the command: safe from inside a sink.
        tuner?.send(.pauseTrial(trial))
    }
}

/// `digits-mlp` trials with their real state, whose steps return at once instead of training.
struct HeldDigitsObjective: Objective {
    let inner: DigitsMLPObjective
    var name: String { "digits-mlp-held" }
    var metric: String { inner.metric }
    var goal: Goal { inner.goal }
    var defaultSpace: SearchSpace { inner.defaultSpace }
    var maxResource: Int? { inner.maxResource }

    func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        HeldTrial(inner: try inner.makeTrial(config: config, seed: seed), seed: seed)
    }
}

/// A trial of `HeldDigitsObjective`: keeps the real network, reports a cheap seeded value.
final class HeldTrial: ObjectiveTrial, @unchecked Sendable {
    let inner: any ObjectiveTrial
    let quality: Double
    private(set) var resource = 0

    init(inner: any ObjectiveTrial, seed: UInt64) {
        self.inner = inner
        quality = Double(seed >> 11) * 0x1.0p-53
    }

    func step() throws -> Step {
        resource += 1
        return Step(resource: resource, value: quality + 1 / Double(resource), cost: 1)
    }

    func checkpoint() -> [UInt8]? { inner.checkpoint() }
}
