import ASHA
import Dispatch
import Foundation
import Objectives
import RunLog
import Synchronization

/// A mistake on the command line of a benchmark.
struct BenchUsageError: Error, CustomStringConvertible {
    var description: String
}

/// Seconds on the monotonic clock (`CLOCK_MONOTONIC`, the clock `DispatchTime` reads).
func monotonicSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

/// Reads a positive integer option value.
func positiveInt(_ value: String, _ option: String) throws -> Int {
    guard let n = Int(value), n > 0 else { throw BenchUsageError(description: "\(option): bad count \(value)") }
    return n
}

/// Reads a positive number option value.
func positiveDouble(_ value: String, _ option: String) throws -> Double {
    guard let x = Double(value), x > 0, x.isFinite else {
        throw BenchUsageError(description: "\(option): bad number \(value)")
    }
    return x
}

/// Reads positive integers separated by commas.
func positiveInts(_ value: String, _ option: String) throws -> [Int] {
    try value.split(separator: ",").map { try positiveInt(String($0), option) }
}

/// Reads positive numbers separated by commas.
func positiveDoubles(_ value: String, _ option: String) throws -> [Double] {
    try value.split(separator: ",").map { try positiveDouble(String($0), option) }
}

/// Reads a `--variant` value: `promotion`, `stopping` or `both`.
func variantList(_ value: String) throws -> [Variant] {
    if value == "both" { return Variant.allCases }
    guard let v = Variant(rawValue: value) else { throw BenchUsageError(description: "bad variant \(value)") }
    return [v]
}

/// A fresh path for a benchmark's run log in the temporary directory (the file does not exist yet).
func temporaryLogPath(_ name: String) -> String {
    let directory = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    let unique = UInt64.random(in: 0...UInt64.max)
    return "\(directory)/ashb-bench-\(getpid())-\(name)-\(String(unique, radix: 16)).jsonl"
}

/// The size of a file in bytes, or 0 when it cannot be read.
func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : 0
}

/// A new log writer on a fresh temporary path, for a benchmark run (`simulated`: of the simulated clock,
/// whose times the log keeps whole, as `ashb-top run` of such a run does).
func temporaryLog(_ name: String, seed: UInt64, simulated: Bool = false) throws -> LogWriter {
    try LogWriter(
        creating: temporaryLogPath(name),
        header: LogHeader(program: "ashb-bench", spec: "bench: \(name)", seed: seed, simulated: simulated))
}

/// Closes a benchmark's log and deletes it; returns its size in bytes.
@discardableResult
func discard(_ log: LogWriter) -> Int {
    log.close()
    let size = fileSize(log.path)
    unlink(log.path)
    return size
}

/// This process's resident set now and at its peak, in MiB (`VmRSS` and `VmHWM` of `/proc/self/status`).
func residentMemory() -> (rss: Double, hwm: Double) {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    var rss = 0.0
    var hwm = 0.0
    for line in text.split(separator: "\n") {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count >= 2, let kib = Double(parts[1]) else { continue }
        if parts[0] == "VmRSS:" { rss = kib / 1024 }
        if parts[0] == "VmHWM:" { hwm = kib / 1024 }
    }
    return (rss, hwm)
}

/// The median of some numbers (0 for none).
func median(_ xs: [Double]) -> Double {
    guard !xs.isEmpty else { return 0 }
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// `s` padded with spaces to `width` characters, on the left when `right`.
func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - s.count))
    return right ? fill + s : s + fill
}

/// `x` with exactly `digits` digits after the point (no exponent).
func fixed(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let n = Int((abs(x) * scale).rounded())
    let whole = n / Int(scale)
    let frac = String(n % Int(scale))
    let sign = x < 0 && n != 0 ? "-" : ""
    let body = digits == 0 ? "\(whole)" : "\(whole)." + String(repeating: "0", count: digits - frac.count) + frac
    return sign + body
}

/// Prints rows as a table with right-aligned columns after the first.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in i == 0 ? pad(c, widths[i] + 2) : pad(c, widths[i] + 2, right: true) }
            .joined()
    }
    print(line(header))
    for row in rows { print(line(row)) }
}

/// Sums the time worker threads spend inside `ObjectiveTrial.step()`: the busy time of the pool as the
/// objective sees it, measured apart from the tuner's own bookkeeping.
final class BusyMeter: Sendable {
    private let nanoseconds = Atomic<Int>(0)
    private let steps = Atomic<Int>(0)

    /// Adds one step's duration.
    func add(nanoseconds ns: Int) {
        nanoseconds.wrappingAdd(ns, ordering: .relaxed)
        steps.wrappingAdd(1, ordering: .relaxed)
    }

    /// Seconds spent in steps so far.
    var seconds: Double { Double(nanoseconds.load(ordering: .relaxed)) / 1e9 }
    /// Steps measured so far.
    var count: Int { steps.load(ordering: .relaxed) }
}

/// A benchmark's objective that wraps another: it says what the other says unless it overrides it.
protocol WrappingObjective: Objective {
    var inner: any Objective { get }
}

extension WrappingObjective {
    var name: String { inner.name }
    var metric: String { inner.metric }
    var goal: Goal { inner.goal }
    var defaultSpace: SearchSpace { inner.defaultSpace }
    var maxResource: Int? { inner.maxResource }
}

/// Wraps an objective so that each step's wall duration is added to a `BusyMeter`.
struct TimedObjective: WrappingObjective {
    let inner: any Objective
    let meter: BusyMeter

    func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        TimedTrial(inner: try inner.makeTrial(config: config, seed: seed), meter: meter)
    }
}

/// A trial of `TimedObjective`.
final class TimedTrial: ObjectiveTrial, @unchecked Sendable {
    let inner: any ObjectiveTrial
    let meter: BusyMeter

    init(inner: any ObjectiveTrial, meter: BusyMeter) {
        self.inner = inner
        self.meter = meter
    }

    var resource: Int { inner.resource }

    func step() throws -> Step {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { meter.add(nanoseconds: Int(DispatchTime.now().uptimeNanoseconds - t0)) }
        return try inner.step()
    }
}
