// PLACEHOLDER shapes: the ASHA helper owns this file and replaces it with the real implementation.

/// The range or set one hyperparameter is drawn from.
public enum Domain: Sendable, Hashable, Codable {
    /// Uniform float in [low, high], optionally quantized to multiples of `step`.
    case uniform(low: Double, high: Double, step: Double?)
    /// Log-uniform float in [low, high] (both > 0), optionally quantized.
    case logUniform(low: Double, high: Double, step: Double?)
    /// Uniform integer in [low, high].
    case int(low: Int, high: Int)
    /// Log-uniform integer in [low, high] (both > 0).
    case logInt(low: Int, high: Int)
    /// One of the listed values, each equally likely.
    case choice([ParameterValue])
    /// Always this value.
    case constant(ParameterValue)
}

/// One named hyperparameter.
public struct Parameter: Sendable, Hashable, Codable {
    public var name: String
    public var domain: Domain
    public init(name: String, domain: Domain) {
        self.name = name
        self.domain = domain
    }
}

/// A validation failure that names the parameter at fault.
public struct SearchSpaceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var parameter: String
    public var message: String
    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }
    public var description: String { "parameter '\(parameter)': \(message)" }
}

/// The hyperparameters to tune, in order.
public struct SearchSpace: Sendable, Hashable, Codable {
    public private(set) var parameters: [Parameter]

    /// Validates the parameters (see `SearchSpaceError`).
    public init(_ parameters: [Parameter]) throws(SearchSpaceError) {
        self.parameters = parameters
    }

    /// The configuration of trial `index` under `seed`; depends on nothing else.
    public func sample(index: Int, seed: UInt64) -> Configuration {
        fatalError("placeholder")
    }
}
