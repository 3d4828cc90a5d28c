import ASHA
import Dispatch
import Foundation
import Objectives
import RunLog
import Synchronization
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
/// - `digits-spill`: the same with `TunerOptions.spillDirectory` set, so idle trials' checkpoints go to
///   files in a temporary directory and their networks leave memory.
/// - `spill-check`: not a memory figure but a check that spilling changes nothing a run records: branin
///   runs (both variants; every fifth trial is paused during its first job and resumed, and promoted
///   trials come back too) log the same events with and without it.
///
/// RSS is read from `/proc/self/status` after the run, with the tuner (and so every trial) alive.
struct MemoryBench: OptionsBenchmark {
    var cases = ["zero", "digits", "digits-spill", "spill-check"]
    var zeroTrials = 100_000
    var digitsTrials = 10_000

    static var options: [String: BenchOption<Self>] {
        [
            "--cases": .list(\.cases), "--zero-trials": .count(\.zeroTrials),
            "--digits-trials": .count(\.digitsTrials),
        ]
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
        if cases.count > 1 {
            // One process per case, so that one case's freed memory (kept by malloc) is not the next's baseline.
            for name in cases {
                let child = Process()
                child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
                child.arguments = [
                    "memory", "--cases", name, "--zero-trials", "\(zeroTrials)", "--digits-trials", "\(digitsTrials)",
                ]
                try child.run()
                child.waitUntilExit()
                guard child.terminationStatus == 0 else {
                    throw BenchUsageError(description: "case \(name) exited with status \(child.terminationStatus)")
                }
            }
            return
        }
        var results: [Measurement] = []
        for name in cases {
            switch name {
            case "zero":
                let objective = try ObjectiveCatalog.make(name: "zero", options: ["max_resource": .int(81)])
                results.append(try once(name: name, objective: objective, trials: zeroTrials))
            case "digits":
                let objective = HeldDigitsObjective(inner: try DigitsMLPObjective(maxResource: 81))
                results.append(try once(name: name, objective: objective, trials: digitsTrials))
            case "digits-spill":
                let objective = HeldDigitsObjective(inner: try DigitsMLPObjective(maxResource: 81))
                results.append(try once(name: name, objective: objective, trials: digitsTrials, spill: true))
            case "spill-check":
                try spillCheck()
            default:
                throw BenchUsageError(
                    description: "unknown case \(name) (cases: zero, digits, digits-spill, spill-check)")
            }
        }
        if results.isEmpty { return }
        printResults(
            "Paused trials in memory: simulated clock, 8 workers, promotion, log on; MiB",
            [
                "case", "trials", "paused", "seconds", "baseline", "RSS", "HWM", "bytes/trial", "checkpoint B",
                "at 100,000",
            ],
            results,
            row: { m in
                [
                    m.name, "\(m.trials)", "\(m.paused)", fixed(m.seconds, 2), fixed(m.baseline, 1), fixed(m.rss, 1),
                    fixed(m.hwm, 1), "\(Int(m.bytesPerTrial))", "\(m.checkpointBytes)", fixed(m.extrapolatedMiB, 0),
                ]
            },
            line: { m in
                benchLine(
                    "memory",
                    [
                        "case": m.name, "trials": "\(m.trials)", "paused": "\(m.paused)", "rss_mib": fixed(m.rss, 1),
                        "hwm_mib": fixed(m.hwm, 1), "bytes_per_trial": "\(Int(m.bytesPerTrial))",
                        "checkpoint_bytes": "\(m.checkpointBytes)", "rss_mib_at_100000": fixed(m.extrapolatedMiB, 0),
                    ])
            })
    }

    func once(name: String, objective: any Objective, trials: Int, spill: Bool = false) throws -> Measurement {
        let baseline = residentMemory().rss
        let settings = SchedulerSettings(
            variant: .promotion, minResource: 1, maxResource: 81, reductionFactor: 3, seed: 7, maxTrials: trials)
        let spillDirectory = spill ? temporaryLogPath("spill") : nil
        defer { if let spillDirectory { try? FileManager.default.removeItem(atPath: spillDirectory) } }
        let pauser = PauseEveryJob()
        var tuner: Tuner?
        let run = try LoggedRun(
            "memory", objective: objective, settings: settings,
            options: TunerOptions(name: "memory", workers: 8, spillDirectory: spillDirectory), backend: .simulated,
            sinks: [pauser],
            prepare: {
                pauser.tuner = $0
                tuner = $0
            })
        let memory = residentMemory()
        // One trial's checkpoint: what spilling a paused trial to disk would write.
        let sample = try objective.makeTrial(
            config: objective.defaultSpace.parameters.isEmpty ? Configuration([]) : sampleConfig(objective), seed: 1)
        _ = try sample.step()
        let checkpointBytes = sample.checkpoint()?.count ?? 0
        return withExtendedLifetime(tuner) {
            Measurement(
                name: name, trials: trials, paused: run.summary.counts[.paused] ?? 0, baseline: baseline,
                rss: memory.rss, hwm: memory.hwm, seconds: run.seconds, checkpointBytes: checkpointBytes)
        }
    }

    /// Runs branin on the simulated clock with and without a spill directory and compares the events.
    func spillCheck() throws {
        for variant in Variant.allCases {
            var logs: [[String]] = []
            var restores = 0
            for spill in [false, true] {
                let objective = CountingObjective(
                    inner: try ObjectiveCatalog.make(name: "branin", options: ["sigma": .double(0.5)]))
                let settings = SchedulerSettings(
                    variant: variant, minResource: 1, maxResource: 81, reductionFactor: 3, brackets: 2, seed: 5,
                    maxTrials: 2_000)
                let directory = spill ? temporaryLogPath("spill-check") : nil
                defer { if let directory { try? FileManager.default.removeItem(atPath: directory) } }
                let recorder = LineRecorder()
                let pauser = PauseAndResumeSome()
                let tuner = try Tuner(
                    objective: objective, space: objective.defaultSpace, settings: settings,
                    options: TunerOptions(name: "spill-check", workers: 8, spillDirectory: directory),
                    backend: .simulated, sinks: [recorder, pauser])
                pauser.tuner = tuner
                _ = tuner.run()
                logs.append(recorder.lines)
                restores = objective.restores.load(ordering: .relaxed)
            }
            let identical = logs[0] == logs[1]
            print(
                "Spill check, \(variant.rawValue): \(logs[0].count) events without spilling, \(logs[1].count) with; "
                    + (identical ? "identical" : "DIFFERENT") + "; \(restores) trials restored from the spill")
            print(
                benchLine(
                    "memory",
                    [
                        "case": "spill-check", "variant": variant.rawValue, "events": "\(logs[0].count)",
                        "restores": "\(restores)", "identical": "\(identical)",
                    ]))
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
struct HeldDigitsObjective: WrappingObjective {
    let inner: any Objective
    var name: String { "digits-mlp-held" }

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

/// Pauses every fifth trial as its first job starts and resumes it as soon as it is paused, so that
/// trials of both variants go idle mid-job and come back (from the spill, when there is one).
final class PauseAndResumeSome: EventSink, @unchecked Sendable {
    weak var tuner: Tuner?
    private var seen = Set<TrialID>()

    func receive(_ event: RunEvent) {
        switch event.body {
        case .jobStarted(let trial, _, _, _, _) where trial % 5 == 0 && seen.insert(trial).inserted:
            tuner?.send(.pauseTrial(trial))
        case .trialPaused(let trial, .user):
            tuner?.send(.resumeTrial(trial))
        default:
            break
        }
    }
}

/// Keeps each event's log line.
final class LineRecorder: EventSink, @unchecked Sendable {
    private(set) var lines: [String] = []
    private var writer = JSONWriter()

    func receive(_ event: RunEvent) {
        writer.reset()
        EventCodec.encode(event, into: &writer)
        lines.append(String(decoding: writer.bytes, as: UTF8.self))
    }
}

/// Counts how many trials an objective restores from checkpoints.
final class CountingObjective: WrappingObjective {
    let inner: any Objective
    let restores = Atomic<Int>(0)

    init(inner: any Objective) { self.inner = inner }

    func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        try inner.makeTrial(config: config, seed: seed)
    }

    func restoreTrial(config: Configuration, seed: UInt64, checkpoint: [UInt8]) throws -> any ObjectiveTrial {
        restores.wrappingAdd(1, ordering: .relaxed)
        return try inner.restoreTrial(config: config, seed: seed, checkpoint: checkpoint)
    }
}
