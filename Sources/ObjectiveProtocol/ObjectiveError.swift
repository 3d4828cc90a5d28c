/// Why an objective could not be made, a configuration was refused, or a trial could not step.
///
/// The message is meant for people: it names the objective, option, hyperparameter, file, line or
/// column at fault, and (for unknown names) lists the valid ones.
public struct ObjectiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The full human-readable message.
    public var message: String

    /// Makes an error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
