import Foundation

/// The value of one hyperparameter in a configuration.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    /// A real number.
    case double(Double)
    /// An integer.
    case int(Int)
    /// A string (a categorical choice).
    case string(String)
    /// A boolean.
    case bool(Bool)

    /// The value as a `Double` where that makes sense (ints, doubles, booleans as 0/1).
    public var doubleValue: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        case .string: return nil
        }
    }

    /// The value for screens: doubles with at most 6 significant digits.
    public var description: String {
        switch self {
        case .double(let d): return formatShort(d)
        case .int(let i): return String(i)
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        }
    }
}

/// A sampled configuration: hyperparameter names and values, in the search space's order.
public struct Configuration: Sendable, Hashable, CustomStringConvertible {
    /// Names and values in the order of the search space's parameters.
    public var entries: [Entry]

    /// One named value.
    public struct Entry: Sendable, Hashable {
        /// The parameter's name.
        public var name: String
        /// Its value.
        public var value: ParameterValue
        /// The entry `name=value`.
        public init(name: String, value: ParameterValue) {
            self.name = name
            self.value = value
        }
    }

    /// A configuration with these entries, in this order.
    public init(_ entries: [Entry]) { self.entries = entries }

    /// The value of the parameter called `name`, if the configuration has one.
    public subscript(name: String) -> ParameterValue? {
        entries.first { $0.name == name }?.value
    }

    /// `name=value name=value ...` in order.
    public var description: String {
        entries.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }
}

/// Whether smaller or larger metric values are better.
public enum Goal: String, Sendable, CaseIterable {
    /// Smaller values are better (a loss, an error rate).
    case minimize
    /// Larger values are better (an accuracy).
    case maximize

    /// True when `a` is strictly better than `b` under this goal; non-finite values are worst.
    @inlinable
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        let af = a.isFinite
        let bf = b.isFinite
        if af != bf { return af }
        if !af { return false }
        return self == .minimize ? a < b : a > b
    }
}

/// Formats a number compactly for screens and summaries (at most 6 significant digits).
public func formatShort(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d > 0 ? "Inf" : "-Inf" }
    if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
    return String(format: "%.6g", d)
}
