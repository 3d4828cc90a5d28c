/// An error that names what is at fault (a scheduler setting, a search-space parameter) and says what
/// is wrong with it: `setting 'reductionFactor': must be at least 2 (got 1)`,
/// `parameter 'lr': low (1) must be below high (0.1)`.
public struct NamedError<Subject: ErrorSubject>: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name of the thing at fault: a setting as in `SchedulerSettings` (e.g. `reductionFactor`), or
    /// a parameter (empty when the fault is an empty name).
    public var name: String
    /// What is wrong with it.
    public var message: String

    /// An error about the thing called `name`.
    public init(name: String, message: String) {
        self.name = name
        self.message = message
    }

    /// `noun 'name': message`, or `'name': message` for a subject without a noun.
    public var description: String {
        Subject.noun.isEmpty ? "'\(name)': \(message)" : "\(Subject.noun) '\(name)': \(message)"
    }
}

/// The kind of thing a `NamedError` is about, as its description names it (nothing when the noun is
/// empty, e.g. a key that its caller places in a longer path).
public protocol ErrorSubject: Sendable {
    static var noun: String { get }
}

/// A setting the scheduler refuses.
public typealias SchedulerError = NamedError<SchedulerSetting>
/// A search space that fails validation.
public typealias SearchSpaceError = NamedError<SearchSpaceParameter>

/// What a `SchedulerError` names.
public enum SchedulerSetting: ErrorSubject { public static let noun = "setting" }
/// What a `SearchSpaceError` names.
public enum SearchSpaceParameter: ErrorSubject { public static let noun = "parameter" }

extension NamedError where Subject == SchedulerSetting {
    /// An error about the setting `field`.
    public init(field: String, message: String) { self.init(name: field, message: message) }
}

extension NamedError where Subject == SearchSpaceParameter {
    /// An error about `parameter`.
    public init(parameter: String, message: String) { self.init(name: parameter, message: message) }
}
