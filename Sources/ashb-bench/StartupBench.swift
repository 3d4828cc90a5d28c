import ASHA
import Dispatch
import Foundation
import Objectives
import RunLog
import Tuner

/// `ashb-bench startup`: how long until the first job starts.
///
/// In process, for each objective: the milliseconds from `Tuner.start()` to the first `job_started`
/// event (seen by a sink), and from making the objective (the digits data are loaded once per process:
/// the first run pays for it, so its figure is printed apart as `cold`) through creating the log and the
/// tuner. From process launch (skipped when the `ashb-top` binary is not found): `ashb-top run SPEC
/// --headless` is spawned; the log's `run_started` line is flushed as it is written, so polling the log
/// file times its arrival, and the first `job_started`'s `t` minus `run_started`'s (both on the run's clock)
/// is added to that.
struct StartupBench: OptionsBenchmark {
    var objectives = ["zero", "branin", "digits-mlp"]
    var runs = 15
    var processRuns = 7
    var ashbTop = StartupBench.siblingBinary()
    var spec = "demos/digits.yaml"

    static var options: [String: BenchOption<Self>] {
        [
            "--objectives": .list(\.objectives), "--runs": .count(\.runs),
            "--process-runs": .custom {
                guard let n = Int($1), n >= 0 else { throw BenchUsageError(description: "bad count \($1)") }
                $0.processRuns = n
            },
            "--ashb-top": .optionalText(\.ashbTop), "--spec": .text(\.spec),
        ]
    }

    /// `ashb-top` next to this executable, if it is there.
    static func siblingBinary() -> String? {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidate = me.deletingLastPathComponent().appendingPathComponent("ashb-top").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    struct Timing {
        /// From `Tuner.start()` to the first job_started.
        var fromStart: Double
        /// From making the objective to the first job_started.
        var fromSetup: Double
    }

    func run() throws {
        var rows: [[String]] = []
        var lines: [String] = []
        for name in objectives {
            let cold = try once(objective: name, seed: 0)
            var warm: [Timing] = []
            for r in 0..<runs { warm.append(try once(objective: name, seed: UInt64(r + 1))) }
            let fromStart = warm.map(\.fromStart)
            let fromSetup = warm.map(\.fromSetup)
            rows.append([
                name, "\(runs)", ms(median(fromStart)), ms(fromStart.max() ?? 0), ms(median(fromSetup)),
                ms(fromSetup.max() ?? 0), ms(cold.fromSetup),
            ])
            lines.append(
                benchLine(
                    "startup",
                    [
                        "from": "start", "objective": name, "runs": "\(runs)", "ms": ms(median(fromStart)),
                        "max_ms": ms(fromStart.max() ?? 0),
                    ]))
            lines.append(
                benchLine(
                    "startup",
                    [
                        "from": "setup", "objective": name, "runs": "\(runs)", "ms": ms(median(fromSetup)),
                        "max_ms": ms(fromSetup.max() ?? 0), "cold_ms": ms(cold.fromSetup),
                    ]))
        }
        print("Time to the first job_started, in process (Dispatch pool, 4 workers, log on); milliseconds")
        printTable(
            ["objective", "runs", "start→job", "max", "setup→job", "max", "cold setup→job"], rows)
        if processRuns > 0 {
            if let ashbTop {
                var launches: [Double] = []
                for _ in 0..<processRuns { launches.append(try launch(ashbTop)) }
                print(
                    "From process launch: \(ashbTop) run \(spec) --headless; median \(ms(median(launches))) ms, "
                        + "runs: \(launches.map(ms).joined(separator: " "))")
                lines.append(
                    benchLine(
                        "startup",
                        [
                            "from": "launch", "spec": spec, "runs": "\(processRuns)", "ms": ms(median(launches)),
                            "max_ms": ms(launches.max() ?? 0),
                        ]))
            } else {
                print("From process launch: skipped (no ashb-top next to ashb-bench; give --ashb-top PATH)")
            }
        }
        for line in lines { print(line) }
    }

    private func ms(_ seconds: Double) -> String { fixed(seconds * 1000, 3) }

    func once(objective name: String, seed: UInt64) throws -> Timing {
        let t0 = monotonicSeconds()
        let objective = try ObjectiveCatalog.make(name: name)
        let settings = SchedulerSettings(
            variant: .promotion, minResource: 1, maxResource: 81, reductionFactor: 3, seed: seed, maxTrials: 8)
        let log = try temporaryLog("startup", seed: seed)
        let first = FirstJobSink()
        let tuner = try Tuner(
            objective: objective, space: objective.defaultSpace, settings: settings,
            options: TunerOptions(name: "startup", workers: 4), backend: .dispatch, sinks: [log, first])
        let t1 = monotonicSeconds()
        tuner.start()
        tuner.send(.stopRun(reason: "benchmark done"))
        _ = tuner.waitUntilEnded()
        discard(log)
        guard let seen = first.time else { throw BenchUsageError(description: "\(name): no job started") }
        return Timing(fromStart: seen - t1, fromSetup: seen - t0)
    }

    /// Spawns `ashb-top run SPEC --headless`, returns the seconds from the spawn to its first job_started.
    func launch(_ binary: String) throws -> Double {
        let runs = temporaryLogPath("startup-runs")
        defer { try? FileManager.default.removeItem(atPath: runs) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", spec, "--headless", "--runs-dir", runs]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let t0 = monotonicSeconds()
        try process.run()
        defer {
            if process.isRunning { process.interrupt() }
            process.waitUntilExit()
        }
        // Poll for the log and its run_started line (written and flushed as the run starts).
        var startedSeen: Double?
        var eventsPath: String?
        let deadline = t0 + 30
        while monotonicSeconds() < deadline {
            if eventsPath == nil, let dirs = try? FileManager.default.contentsOfDirectory(atPath: runs),
                let dir = dirs.first
            {
                eventsPath = "\(runs)/\(dir)/events.jsonl"
            }
            if let eventsPath, let text = try? String(contentsOfFile: eventsPath, encoding: .utf8) {
                if startedSeen == nil, text.contains("\"type\":\"run_started\"") { startedSeen = monotonicSeconds() }
                if let startedSeen, let gap = Self.firstJobGap(text) { return startedSeen - t0 + gap }
            }
            if !process.isRunning && startedSeen == nil { break }
            usleep(startedSeen == nil ? 200 : 20_000)
        }
        throw BenchUsageError(description: "\(binary) wrote no job_started within 30 s")
    }

    /// The run-clock seconds from `run_started` to the first `job_started` in a log's text.
    static func firstJobGap(_ text: String) -> Double? {
        var started: Double?
        for line in text.split(separator: "\n") {
            guard let data = line.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let type = object["type"] as? String, let t = (object["t"] as? NSNumber)?.doubleValue
            else { continue }
            if type == "run_started" { started = t }
            if type == "job_started", let started { return t - started }
        }
        return nil
    }
}

/// Notes the monotonic time of the first `job_started` event.
final class FirstJobSink: EventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: Double?

    func receive(_ event: RunEvent) {
        guard case .jobStarted = event.body else { return }
        let now = monotonicSeconds()
        lock.lock()
        if seen == nil { seen = now }
        lock.unlock()
    }

    /// When the first job started, if one has.
    var time: Double? {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }
}
