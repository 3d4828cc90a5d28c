import ASHA
import Foundation
import Objectives
import RunLog
import Tuner

/// `ashb-bench cli`: what users run, timed end to end, beside the library doing the same work.
///
/// - `simulate`: `ashb-top run SPEC --headless` of a simulated branin run (cost 0.01 s, σ 0.5, η = 3,
///   R = 81, one bracket, promotion, 8 workers, `--trials` trials): wall seconds from spawning the
///   process to its exit, beside `ashb-bench simulate`'s figure for the same settings measured in this
///   process (`Tuner.run()` with the log on), and their ratio.
/// - `zero`: `ashb-top run SPEC --headless` of the `zero` objective on 2 workers with
///   `budget: {seconds: N}` on the wall clock: seconds from spawn to exit, the exit's delay beyond the
///   budget (from the log's `run_ended` time to the process's exit, and spawn to exit minus N), reports,
///   and the run directory's size (and bytes a report); beside the library's reports per second for the same run.
struct CLIBench: OptionsBenchmark {
    var cases = ["simulate", "zero"]
    var trials = 100_000
    var workers = 8
    var seconds = 10.0
    var repeats = 1
    var ashbTop = StartupBench.siblingBinary()

    static var options: [String: BenchOption<Self>] {
        [
            "--cases": .list(\.cases), "--trials": .count(\.trials), "--seconds": .number(\.seconds),
            "--repeats": .count(\.repeats), "--ashb-top": .optionalText(\.ashbTop),
        ]
    }

    /// One `ashb-top` process, timed.
    struct Launch {
        var wall: Double
        var cpu: Double
        var status: Int32
        var runDirectory: String
        var runBytes: Int
        var runFiles: Int
        var events: [RunEvent]
        /// The log's format version (its header's `ashb_log`).
        var logVersion: Int
    }

    func run() throws {
        guard let ashbTop else {
            throw BenchUsageError(description: "ashb-top not found next to ashb-bench; pass --ashb-top PATH")
        }
        for name in cases {
            switch name {
            case "simulate": try simulate(ashbTop)
            case "zero": try zero(ashbTop)
            default: throw BenchUsageError(description: "unknown case \(name) (cases: simulate, zero)")
            }
        }
    }

    func simulate(_ ashbTop: String) throws {
        let spec = """
            name: cli-bench
            objective: {name: branin, cost: 0.01, sigma: 0.5, max_resource: 81}
            scheduler: {variant: promotion, min_resource: 1, max_resource: 81, eta: 3, brackets: 1}
            sampler: random
            workers: \(workers)
            budget: {trials: \(trials)}
            seed: 1
            clock: simulated
            """
        var rows: [[String]] = []
        var lines: [String] = []
        for _ in 0..<repeats {
            let library = try SimulateBench(arguments: ["--trials", "\(trials)", "--workers", "\(workers)"]).once(
                variant: .promotion, seed: 1)
            let cli = try launch(ashbTop, spec: spec)
            let ratio = cli.wall / library.run.closedSeconds
            rows.append([
                "\(trials)", fixed(library.run.closedSeconds, 2), fixed(cli.wall, 2), fixed(cli.cpu, 2),
                fixed(ratio, 2),
                fixed(Double(cli.runBytes) / 1_048_576, 1), "\(cli.runFiles)", "\(cli.status)",
            ])
            lines.append(
                benchLine(
                    "cli",
                    [
                        "case": "simulate", "trials": "\(trials)", "workers": "\(workers)",
                        "library_s": fixed(library.run.closedSeconds, 3), "cli_s": fixed(cli.wall, 3),
                        "cli_cpu_s": fixed(cli.cpu, 3), "ratio": fixed(ratio, 2), "run_dir_bytes": "\(cli.runBytes)",
                        "status": "\(cli.status)",
                    ]))
            try? FileManager.default.removeItem(atPath: cli.runDirectory)
        }
        print("ashb-top run --headless, simulated branin, \(workers) workers, vs ashb-bench simulate (same settings)")
        printTable(["trials", "library s", "ashb-top s", "CPU s", "ratio", "run dir MiB", "files", "exit"], rows)
        for l in lines { print(l) }
    }

    func zero(_ ashbTop: String) throws {
        let spec = """
            name: cli-zero
            objective: zero
            sampler: random
            workers: 2
            budget: {seconds: \(seconds)}
            seed: 1
            """
        var rows: [[String]] = []
        var lines: [String] = []
        for _ in 0..<repeats {
            let library = try libraryZero()
            let cli = try launch(ashbTop, spec: spec)
            var endTime = 0.0
            var reports = 0
            for e in cli.events {
                if case .metric = e.body { reports += 1 }
                if case .runEnded = e.body { endTime = e.time }
            }
            let beyond = cli.wall - seconds
            let rate = Double(reports) / max(endTime, 1e-9)
            rows.append([
                fixed(seconds, 0), fixed(cli.wall, 2), fixed(beyond, 2), fixed(endTime, 2), "\(reports)",
                "\(Int(rate))", "\(Int(library))", fixed(rate / library, 2),
                fixed(Double(cli.runBytes) / 1e6, 1), fixed(Double(cli.runBytes) / Double(max(reports, 1)), 1),
                "\(cli.runFiles)", "\(cli.status)",
            ])
            lines.append(
                benchLine(
                    "cli",
                    [
                        "case": "zero", "seconds": "\(seconds)", "cli_s": fixed(cli.wall, 3),
                        "beyond_budget_s": fixed(beyond, 3), "run_ended_t": fixed(endTime, 3), "reports": "\(reports)",
                        "reports_per_s": "\(Int(rate))", "library_reports_per_s": "\(Int(library))",
                        "run_dir_bytes": "\(cli.runBytes)", "files": "\(cli.runFiles)", "status": "\(cli.status)",
                        "log_version": "\(cli.logVersion)",
                    ]))
            try? FileManager.default.removeItem(atPath: cli.runDirectory)
        }
        print("ashb-top run --headless, zero objective, 2 workers, wall clock, budget \(fixed(seconds, 0)) s")
        printTable(
            [
                "budget s", "ashb-top s", "beyond s", "run_ended t", "reports", "reports/s", "library/s", "ratio",
                "run dir MB", "bytes/report", "files", "exit",
            ], rows)
        for l in lines { print(l) }
    }

    /// Reports per second of the same zero run in process (Dispatch pool, log on, no checkpoints).
    func libraryZero() throws -> Double {
        let objective = try ObjectiveCatalog.make(name: "zero")
        var settings = SchedulerSettings()
        settings.seed = 1
        let run = try LoggedRun(
            "cli-zero", objective: objective, settings: settings,
            options: TunerOptions(name: "cli-zero", workers: 2, maxSeconds: seconds), backend: .dispatch)
        return Double(run.summary.reports) / max(run.summary.seconds, 1e-9)
    }

    /// Runs `ashb-top run SPEC --headless` in a fresh runs directory; standard output goes to a file
    /// (as a user's redirected run would), and the log is read back.
    func launch(_ ashbTop: String, spec: String) throws -> Launch {
        let root = NSTemporaryDirectory() + "ashb-bench-cli-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let specPath = root + "/spec.yaml"
        try spec.write(toFile: specPath, atomically: false, encoding: .utf8)
        let out = root + "/stdout.txt"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ashbTop)
        process.arguments = ["run", specPath, "--headless", "--runs-dir", root + "/runs"]
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle.nullDevice
        var before = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &before)
        let t0 = monotonicSeconds()
        try process.run()
        process.waitUntilExit()
        let wall = monotonicSeconds() - t0
        var after = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &after)
        func secs(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        let cpu =
            secs(after.ru_utime) + secs(after.ru_stime) - secs(before.ru_utime) - secs(before.ru_stime)
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: root + "/runs")) ?? []
        guard let name = runs.first else { throw BenchUsageError(description: "ashb-top left no run directory") }
        let dir = root + "/runs/" + name
        var bytes = 0
        var files = 0
        if let walker = FileManager.default.enumerator(atPath: dir) {
            for case let p as String in walker {
                let attrs = try? FileManager.default.attributesOfItem(atPath: dir + "/" + p)
                if attrs?[.type] as? FileAttributeType == .typeRegular {
                    files += 1
                    bytes += (attrs?[.size] as? Int) ?? 0
                }
            }
        }
        let reader = try? LogReader(path: dir + "/events.jsonl")
        let events = (try? reader?.readAll()) ?? []
        return Launch(
            wall: wall, cpu: cpu, status: process.terminationStatus, runDirectory: root, runBytes: bytes,
            runFiles: files, events: events, logVersion: reader?.header.version ?? 0)
    }
}
