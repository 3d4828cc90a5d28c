/// A setting the scheduler refuses, naming the setting.
public struct SchedulerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name of the setting at fault, as in `SchedulerSettings` (e.g. `reductionFactor`).
    public var field: String
    /// What is wrong with it.
    public var message: String

    /// An error about the setting `field`.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// `setting 'reductionFactor': must be at least 2 (got 1)`.
    public var description: String { "setting '\(field)': \(message)" }
}
