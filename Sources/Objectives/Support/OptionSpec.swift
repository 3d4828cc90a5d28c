import ASHA

/// The type of an objective option's value.
public enum OptionKind: String, Sendable, Hashable {
    /// A real number; integers are accepted.
    case double
    /// An integer; doubles with an integral value are accepted.
    case int
    /// `true` or `false`.
    case bool
    /// Text.
    case string

    /// The kind with its article, for messages: "a double", "an int".
    var withArticle: String { self == .int ? "an int" : "a \(rawValue)" }

    /// `value` converted to this kind, or nil when it has the wrong type.
    func convert(_ value: ParameterValue) -> ParameterValue? {
        switch self {
        case .double: return value.realValue.map { .double($0) }
        case .int: return value.integerValue.map { .int($0) }
        case .bool: return value.booleanValue.map { .bool($0) }
        case .string: return value.stringValue.map { .string($0) }
        }
    }
}

/// One option an objective accepts in the experiment spec (not a hyperparameter: options are fixed
/// for the whole run, hyperparameters vary per trial).
public struct OptionSpec: Sendable, Hashable, CustomStringConvertible {
    /// The key in the spec's `options` map.
    public var key: String
    /// The value's type.
    public var kind: OptionKind
    /// The value used when the key is absent; nil means the option is required.
    public var defaultValue: ParameterValue?
    /// One line for `ashb-top objectives`.
    public var summary: String

    /// Describes an option.
    public init(key: String, kind: OptionKind, defaultValue: ParameterValue?, summary: String) {
        self.key = key
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }

    /// One line for listings: `noise (double, default 0): std of …`, or `(string, required)`.
    public var description: String {
        let fallback = defaultValue.map { "default \($0)" } ?? "required"
        return "\(key) (\(kind.rawValue), \(fallback)): \(summary)"
    }
}

/// Options checked against their specs: every key known, every value of the right type, defaults
/// filled in. Accessors cannot fail for keys that have a spec.
struct ResolvedOptions: Sendable {
    private var values: [String: ParameterValue]
    private let objective: String

    /// Checks `options` against `specs`: an unknown key, a value of the wrong type or a missing
    /// required option is an error naming the key.
    init(_ options: [String: ParameterValue], specs: [OptionSpec], objective: String) throws(ObjectiveError) {
        self.objective = objective
        let known = Set(specs.map(\.key))
        for key in options.keys.sorted() where !known.contains(key) {
            let valid = specs.map(\.key).joined(separator: ", ")
            throw ObjectiveError(
                "\(objective): unknown option '\(key)'\(didYouMean(key, among: specs.map(\.key))); valid options: "
                    + (valid.isEmpty ? "(none)" : valid))
        }
        var values: [String: ParameterValue] = [:]
        for spec in specs {
            if let given = options[spec.key] {
                guard let converted = spec.kind.convert(given) else {
                    throw ObjectiveError(
                        "\(objective): option '\(spec.key)' must be \(spec.kind.withArticle), got \(given.typedDescription)"
                    )
                }
                values[spec.key] = converted
            } else if let fallback = spec.defaultValue {
                values[spec.key] = fallback
            } else {
                throw ObjectiveError("\(objective): option '\(spec.key)' is required (\(spec.summary))")
            }
        }
        self.values = values
    }

    func double(_ key: String) -> Double { values[key]?.realValue ?? .nan }
    func int(_ key: String) -> Int { values[key]?.integerValue ?? 0 }
    func bool(_ key: String) -> Bool { values[key]?.booleanValue ?? false }
    func string(_ key: String) -> String { values[key]?.stringValue ?? "" }

    /// The double option `key`, checked to lie in `range`.
    func double(_ key: String, in range: ClosedRange<Double>) throws(ObjectiveError) -> Double {
        let value = double(key)
        guard range.contains(value) else {
            throw ObjectiveError(
                "\(objective): option '\(key)' must be in [\(formatShort(range.lowerBound)), "
                    + "\(formatShort(range.upperBound))], got \(formatShort(value))")
        }
        return value
    }

    /// The int option `key`, checked to lie in `range`.
    func int(_ key: String, in range: ClosedRange<Int>) throws(ObjectiveError) -> Int {
        let value = int(key)
        guard range.contains(value) else {
            throw ObjectiveError(
                "\(objective): option '\(key)' must be in [\(range.lowerBound), \(range.upperBound)], got \(value)")
        }
        return value
    }
}
