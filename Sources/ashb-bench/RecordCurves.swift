import ASHA
import Foundation
import Objectives

#if canImport(Glibc)
    import Glibc
#endif

/// `ashb-bench record-digits`: records a learning-curve table of the built-in `digits-mlp` objective
/// for the `curves` objective and `ashb-bench quality`.
///
/// Configuration i is `space.sample(index: i, seed: --seed)` over digits-mlp's default space plus
/// `activation` (choice relu, tanh): plain counter-based random sampling, so the table is an unbiased
/// sample of the space. Each configuration is trained for `--epochs` epochs with trial seed i + 1, and
/// one row is written per epoch: the hyperparameters (numbers rounded to 6 significant digits before
/// training, so the table holds exactly what was trained), `resource` (the epoch), `validation_error`, and
/// `seconds`, the CPU time the training thread spent on that epoch (thread CPU time, so the figure
/// does not grow with the load that other processes put on a shared machine). Rows go to `--out` as
/// CSV; configurations run on `--threads` threads (each configuration on one thread).
struct RecordCurves: OptionsBenchmark {
    var configurations = 600
    var epochs = 81
    var seed: UInt64 = 2026
    var threads = 1
    var out = "digits-mlp-curves.csv"

    static var options: [String: BenchOption<Self>] {
        [
            "--configs": .count(\.configurations), "--epochs": .count(\.epochs),
            "--seed": .custom {
                guard let s = UInt64($1) else { throw BenchUsageError(description: "--seed: bad seed \($1)") }
                $0.seed = s
            },
            "--threads": .count(\.threads), "--out": .text(\.out),
        ]
    }

    /// The recorded space: digits-mlp's default space and the activation.
    static func space(_ objective: DigitsMLPObjective) throws -> SearchSpace {
        try SearchSpace(
            objective.defaultSpace.parameters + [
                Parameter(name: "activation", domain: .choice([.string("relu"), .string("tanh")]))
            ])
    }

    func run() throws {
        let objective = try DigitsMLPObjective(maxResource: epochs)
        let space = try Self.space(objective)
        let names = space.parameters.map(\.name)
        let rows = RowCollector(count: configurations)
        let next = NextIndex()
        let t0 = monotonicSeconds()
        let group = DispatchGroup()
        let epochs = self.epochs
        let seed = self.seed
        let total = configurations
        for _ in 0..<threads {
            DispatchQueue.global().async(group: group) {
                while let i = next.take(below: total) {
                    // Numbers rounded to 6 significant digits before training, so the table is exact.
                    let config = Configuration(
                        space.sample(index: i, seed: seed).entries.map { entry in
                            guard case .double(let d) = entry.value else { return entry }
                            return .init(name: entry.name, value: .double(Double(String(format: "%.6g", d)) ?? d))
                        })
                    var lines: [String] = []
                    do {
                        let trial = try objective.makeTrial(config: config, seed: UInt64(i) + 1)
                        for _ in 0..<epochs {
                            let c0 = threadCPUSeconds()
                            let step = try trial.step()
                            let seconds = threadCPUSeconds() - c0
                            let fields = config.entries.map { "\($0.value.csvField)" }
                            lines.append(
                                (fields + [
                                    "\(step.resource)", String(format: "%.6g", step.value),
                                    String(format: "%.6f", seconds),
                                ])
                                .joined(separator: ","))
                            if !step.value.isFinite { break }
                        }
                    } catch {
                        FileHandle.standardError.write(Data("configuration \(i): \(error)\n".utf8))
                    }
                    rows.set(i, lines)
                    let done = rows.done()
                    if done % 10 == 0 {
                        FileHandle.standardError.write(
                            Data("\(done)/\(total) configurations, \(Int(monotonicSeconds() - t0)) s\n".utf8))
                    }
                }
            }
        }
        group.wait()
        var text = (names + ["resource", "validation_error", "seconds"]).joined(separator: ",") + "\n"
        for lines in rows.all() {
            for line in lines { text += line + "\n" }
        }
        try text.write(toFile: out, atomically: true, encoding: .utf8)
        let seconds = monotonicSeconds() - t0
        print(
            benchLine(
                "record-digits",
                [
                    "configs": "\(configurations)", "epochs": "\(epochs)", "seed": "\(seed)", "threads": "\(threads)",
                    "seconds": fixed(seconds, 1), "out": out,
                ]))
    }
}

extension ParameterValue {
    /// The value as a CSV field: numbers in Swift's shortest round-trip form.
    var csvField: String {
        switch self {
        case .double(let d): return "\(d)"
        case .int(let i): return "\(i)"
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        }
    }
}

/// CPU seconds the calling thread has used.
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Hands out indices 0, 1, 2, … to worker threads.
final class NextIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

/// Rows of each configuration, filled from worker threads.
final class RowCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [[String]]
    private var finished = 0

    init(count: Int) { rows = Array(repeating: [], count: count) }

    func set(_ i: Int, _ lines: [String]) {
        lock.lock()
        rows[i] = lines
        finished += 1
        lock.unlock()
    }

    func done() -> Int {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }

    func all() -> [[String]] {
        lock.lock()
        defer { lock.unlock() }
        return rows
    }
}
