/// A line of the messages pane: a failure, a user action, a run event worth telling.
public struct Message: Equatable, Sendable {
    /// Event time.
    public var time: Double
    /// Sanitized text.
    public var text: String
    public var role: StyleRole

    public init(time: Double, text: String, role: StyleRole) {
        self.time = time
        self.text = text
        self.role = role
    }
}

/// The best value found so far.
public struct BestRecord: Equatable, Sendable {
    public var trial: Int
    public var value: Double
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
    public var time: Double
    public var value: Double

    public init(time: Double, value: Double) {
        self.time = time
        self.value = value
    }
}
