import ASHA
import Foundation

/// The built-in objectives, by name: what `ashb-top objectives` lists and what an experiment
/// spec's `objective:` selects.
public enum ObjectiveCatalog {
    /// One built-in objective: its name, a one-line summary, and the options it accepts.
    public struct Entry: Sendable {
        /// The name used in specs.
        public let name: String
        /// One line for listings.
        public let summary: String
        /// The metric it reports (for `curves`, the default of its `metric` option).
        public let metric: String
        /// The options it accepts, with types and defaults.
        public let options: [OptionSpec]
        /// The hyperparameters its trials read, one line each ("activation: one of relu, tanh (default
        /// relu)"); empty when it reads whatever the space gives (`zero`, `curves`, `command`).
        public var hyperparameters: [String] = []
        let build: @Sendable (ResolvedOptions, _ baseDirectory: String?) throws -> any Objective
    }

    /// Every built-in objective, in listing order.
    public static let entries: [Entry] = [
        Entry(
            name: "digits-mlp",
            summary: "one-hidden-layer perceptron on the 1797 handwritten digits; resource = epochs",
            metric: "validation_error",
            options: [
                OptionSpec("max_resource", default: .int(81), "most epochs a trial trains"),
                OptionSpec(
                    "validation_fraction", default: .double(0.3),
                    "share of the images held out for validation (fixed seeded split)"),
            ],
            hyperparameters: DigitsMLPObjective.rules.map(\.summary),
            build: { options, _ in
                try DigitsMLPObjective(
                    maxResource: options.int("max_resource", in: 1...1_000_000),
                    validationFraction: options.double("validation_fraction", in: 0.01...0.99))
            }
        ),
        syntheticEntry(
            .branin, summary: "Branin-Hoo (2-D, optimum 0.397887) made multi-fidelity; cheap, known optimum"),
        syntheticEntry(
            .hartmann6, summary: "Hartmann 6-D (optimum -3.32237) made multi-fidelity; cheap, known optimum"),
        syntheticEntry(
            .branin, name: "lognormal-sleep",
            summary: "branin whose steps really sleep a log-normal time (median_seconds, sigma); for pool benchmarks",
            timing: [
                OptionSpec("median_seconds", default: .double(0.05), "median step duration in seconds"),
                OptionSpec(
                    "sigma", default: .double(0.5), "log-normal spread: a step lasts median_seconds * exp(sigma * z)"),
                OptionSpec("sleep", default: .bool(true), "really sleep each step"),
            ], costKey: "median_seconds"),
        Entry(
            name: "zero",
            summary: "returns at once a cheap deterministic value of the configuration (zero cost); for throughput",
            metric: "value",
            options: [
                OptionSpec("max_resource", default: .int(81), "largest resource")
            ],
            build: { options, _ in try ZeroObjective(maxResource: options.int("max_resource", in: 1...1_000_000_000)) }
        ),
        Entry(
            name: "curves",
            summary:
                "replays learning curves recorded in a CSV table (resource, metric, seconds, config columns); a trial "
                + "follows the nearest recorded configuration, distances in the space's scale (log for loguniform "
                + "and logint, linear for uniform and int over the space's bounds, choices categorical)",
            metric: "metric",
            options: [
                OptionSpec(
                    key: "path", kind: .string, defaultValue: nil,
                    summary: "the CSV file; relative to the spec's directory"),
                OptionSpec("metric", default: .string("metric"), "the metric column"),
                OptionSpec("goal", default: .string("minimize"), "minimize or maximize"),
                OptionSpec(
                    "neighbors", default: .int(1),
                    "follow the inverse-distance-weighted average of this many nearest curves"),
            ],
            build: { options, baseDirectory in
                guard let goal = Goal(rawValue: options.string("goal")) else {
                    throw ObjectiveError(
                        "curves: option 'goal' must be minimize or maximize, got \(options.string("goal"))")
                }
                var path = options.string("path")
                if !path.hasPrefix("/"), let baseDirectory {
                    path = URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
                }
                return try CurvesObjective(
                    path: path, metric: options.string("metric"), goal: goal,
                    neighbors: options.int("neighbors", in: 1...64))
            }
        ),
        commandEntry,
    ]

    /// The names of the built-in objectives, in listing order.
    public static var names: [String] { entries.map(\.name) }

    /// Makes the objective called `name` with `options` (checked against the entry's option
    /// specs). `baseDirectory` resolves relative file paths (usually the spec file's directory).
    ///
    /// Throws an `ObjectiveError` that lists the valid names for an unknown name, and names the
    /// key for an unknown option, a value of the wrong type or out of range.
    public static func make(name: String, options: [String: ParameterValue] = [:], baseDirectory: String? = nil)
        throws -> any Objective
    {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw ObjectiveError(
                "unknown objective '\(name)'\(didYouMean(name, among: names)); valid objectives: "
                    + names.joined(separator: ", "))
        }
        return try entry.build(try ResolvedOptions(options, specs: entry.options, objective: name), baseDirectory)
    }
}
