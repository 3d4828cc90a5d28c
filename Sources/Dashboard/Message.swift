/// A line of the messages pane: a failure, a user action, a run event worth telling.
public struct Message: Equatable, Sendable {
    /// Event time.
    public var time: Double
    /// Sanitized text.
    public var text: String
    /// How the line is styled (its text says the same).
    public var role: StyleRole

    public init(time: Double, text: String, role: StyleRole) {
        self.time = time
        self.text = text
        self.role = role
    }
}

/// The best value found so far.
public struct BestRecord: Equatable, Sendable {
    /// The trial that holds the best value.
    public var trial: Int
    /// The metric value.
    public var value: Double
    /// The resource it was reached at.
    public var resource: Int
    /// Event time when it was found.
    public var time: Double

    public init(trial: Int, value: Double, resource: Int, time: Double) {
        self.trial = trial
        self.value = value
        self.resource = resource
        self.time = time
    }
}

/// One point of the best-so-far series.
public struct BestPoint: Equatable, Sendable {
    /// Event time.
    public var time: Double
    /// The metric value.
    public var value: Double

    public init(time: Double, value: Double) {
        self.time = time
        self.value = value
    }
}
