import ASHA
import Objectives
import RunLog
import Tuner

// What every benchmark shares: its options as a table, repeated measurements, the table for people and
// the `bench=` lines for scripts, and a tuner run with the log on.

/// A benchmark: made from the arguments after its name, then run.
protocol Benchmark {
    init(arguments: [String]) throws
    /// Measures and prints a table for people and `bench=` lines for scripts.
    func run() throws
}

/// A benchmark whose options are all `--name value` pairs, each setting a field (the fields' initial
/// values are the defaults).
protocol OptionsBenchmark: Benchmark {
    init()
    /// The options, by name.
    static var options: [String: BenchOption<Self>] { get }
}

extension OptionsBenchmark {
    init(arguments: [String]) throws {
        self.init()
        try parseOptions(arguments, into: &self, Self.options)
    }
}

/// How a benchmark's `--name value` option sets one of its fields.
enum BenchOption<Bench> {
    /// A positive integer.
    case count(WritableKeyPath<Bench, Int>)
    /// A positive integer that replaces a default chosen at run time.
    case optionalCount(WritableKeyPath<Bench, Int?>)
    /// Positive integers separated by commas.
    case counts(WritableKeyPath<Bench, [Int]>)
    /// A positive finite number.
    case number(WritableKeyPath<Bench, Double>)
    /// Positive finite numbers separated by commas.
    case numbers(WritableKeyPath<Bench, [Double]>)
    /// `promotion`, `stopping` or `both`.
    case variants(WritableKeyPath<Bench, [Variant]>)
    /// Any text.
    case text(WritableKeyPath<Bench, String>)
    /// Any text, for a field without a default.
    case optionalText(WritableKeyPath<Bench, String?>)
    /// Words separated by commas.
    case list(WritableKeyPath<Bench, [String]>)
    /// Anything else: the handler reads the value and sets the fields.
    case custom((inout Bench, String) throws -> Void)

    /// Sets the field from `value`, the value given to `option`.
    func apply(_ value: String, option: String, to bench: inout Bench) throws {
        switch self {
        case .count(let field): bench[keyPath: field] = try positiveInt(value, option)
        case .optionalCount(let field): bench[keyPath: field] = try positiveInt(value, option)
        case .counts(let field): bench[keyPath: field] = try positiveInts(value, option)
        case .number(let field): bench[keyPath: field] = try positiveDouble(value, option)
        case .numbers(let field): bench[keyPath: field] = try positiveDoubles(value, option)
        case .variants(let field): bench[keyPath: field] = try variantList(value)
        case .text(let field): bench[keyPath: field] = value
        case .optionalText(let field): bench[keyPath: field] = value
        case .list(let field): bench[keyPath: field] = value.split(separator: ",").map(String.init)
        case .custom(let handler): try handler(&bench, value)
        }
    }
}

/// Parses `--name value` pairs into a benchmark's fields, one entry of `options` per option.
func parseOptions<Bench>(_ arguments: [String], into bench: inout Bench, _ options: [String: BenchOption<Bench>])
    throws
{
    var rest = arguments[...]
    while let option = rest.popFirst() {
        guard let known = options[option] else {
            let names = options.keys.sorted().joined(separator: ", ")
            throw BenchUsageError(description: "unknown option \(option) (options: \(names))")
        }
        guard let value = rest.popFirst() else { throw BenchUsageError(description: "\(option) needs a value") }
        try known.apply(value, option: option, to: &bench)
    }
}

/// Measures `repeats` times with seeds 1, 2, ... (seed 0 is left for probes).
func repeated<M>(_ repeats: Int, _ measure: (_ seed: UInt64) throws -> M) rethrows -> [M] {
    try (0..<repeats).map { try measure(UInt64($0 + 1)) }
}

/// One `bench=NAME key=value ...` line, the fields in the order given.
func benchLine(_ name: String, _ fields: KeyValuePairs<String, String>) -> String {
    (["bench=\(name)"] + fields.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
}

/// Prints a benchmark's results: the title, a table for people (`header` and a row per result), then a
/// `bench=` line per result for scripts.
func printResults<M>(
    _ title: String, _ header: [String], _ results: [M], row: (M) -> [String], line: (M) -> String
) {
    print(title)
    printTable(header, results.map(row))
    for m in results { print(line(m)) }
}

/// One tuner run of a benchmark with its log on (a fresh temporary file, deleted after), measured.
struct LoggedRun {
    let summary: RunSummary
    /// Wall seconds from the start until the run had ended.
    let seconds: Double
    /// Wall seconds from the start until the run had ended and its log was closed (flushed).
    let closedSeconds: Double
    /// Events the tuner emitted.
    let events: Int
    /// The log's size in bytes.
    let logBytes: Int
    /// The log's size in MiB, one decimal.
    var logMiB: String { fixed(Double(logBytes) / 1_048_576, 1) }
    /// Why the run ended, or "?".
    var endReason: String { summary.endReason ?? "?" }

    /// Runs `objective` on its default space to the end. `sinks` receive the events after the log;
    /// `prepare` sees the tuner before it starts (and may keep it alive, with its trials, after the run).
    init(
        _ name: String, objective: any Objective, settings: SchedulerSettings, options: TunerOptions,
        backend: Tuner.Backend, sinks: [any EventSink] = [], prepare: (Tuner) -> Void = { _ in }
    ) throws {
        let log = try temporaryLog(name, seed: settings.seed, simulated: backend == .simulated)
        let counter = EventCounter()
        let tuner = try Tuner(
            objective: objective, space: objective.defaultSpace, settings: settings, options: options,
            backend: backend, sinks: [log, counter] + sinks)
        prepare(tuner)
        let t0 = monotonicSeconds()
        summary = tuner.run()
        seconds = monotonicSeconds() - t0
        log.close()
        closedSeconds = monotonicSeconds() - t0
        logBytes = discard(log)
        events = counter.count
    }
}

/// A logged run of one ASHA variant with a trial budget: what `e2e` and `simulate` measure.
struct VariantRun {
    var variant: Variant
    var trials: Int
    var run: LoggedRun
}

/// Counts the events it receives (the tuner calls sinks one at a time, under its lock).
final class EventCounter: EventSink, @unchecked Sendable {
    private(set) var count = 0
    func receive(_ event: RunEvent) { count += 1 }
}
