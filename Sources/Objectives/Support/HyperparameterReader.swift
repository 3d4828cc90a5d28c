import ASHA

/// Reads a trial's hyperparameters from its configuration by name: an absent name takes its
/// default, a present name of the wrong type or out of range is an error naming it.
struct HyperparameterReader {
    let config: Configuration
    let objective: String

    private func wrongType(_ name: String, _ expected: String, _ value: ParameterValue) -> ObjectiveError {
        ObjectiveError("\(objective): hyperparameter '\(name)' must be \(expected), got \(value.typedDescription)")
    }

    private func outOfRange(_ name: String, _ rule: String, _ value: String) -> ObjectiveError {
        ObjectiveError("\(objective): hyperparameter '\(name)' must be \(rule), got \(value)")
    }

    /// A real hyperparameter; nil default means it is required.
    func double(_ name: String, default fallback: Double?, valid: (Double) -> Bool = { $0.isFinite }, rule: String)
        throws(ObjectiveError) -> Double
    {
        guard let value = config[name] else {
            guard let fallback else {
                throw ObjectiveError("\(objective): configuration lacks hyperparameter '\(name)'")
            }
            return fallback
        }
        guard let d = value.realValue else { throw wrongType(name, "a number", value) }
        guard d.isFinite, valid(d) else { throw outOfRange(name, rule, formatShort(d)) }
        return d
    }

    /// An integer hyperparameter (an integral double is accepted).
    func int(_ name: String, default fallback: Int, valid: (Int) -> Bool, rule: String) throws(ObjectiveError) -> Int {
        guard let value = config[name] else { return fallback }
        guard let i = value.integerValue else { throw wrongType(name, "an integer", value) }
        guard valid(i) else { throw outOfRange(name, rule, String(i)) }
        return i
    }

    /// A string hyperparameter restricted to `allowed`.
    func choice(_ name: String, default fallback: String, allowed: [String]) throws(ObjectiveError) -> String {
        guard let value = config[name] else { return fallback }
        guard let s = value.stringValue else { throw wrongType(name, "a string", value) }
        guard allowed.contains(s) else { throw outOfRange(name, "one of \(allowed.joined(separator: ", "))", s) }
        return s
    }
}
