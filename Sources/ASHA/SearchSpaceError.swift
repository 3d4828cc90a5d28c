/// A validation failure that names the parameter at fault.
public struct SearchSpaceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name of the parameter at fault (may be empty when the fault is an empty name).
    public var parameter: String
    /// What is wrong with it.
    public var message: String

    /// An error about `parameter`.
    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }

    /// `parameter 'lr': low (1) must be below high (0.1)`.
    public var description: String { "parameter '\(parameter)': \(message)" }
}
