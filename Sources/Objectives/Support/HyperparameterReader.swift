import ASHA

/// Reads a trial's hyperparameters from its configuration by their rules: an absent name takes its
/// default, a present name of the wrong type or out of range is an error naming it.
struct HyperparameterReader {
    let config: Configuration
    let objective: String

    /// The value of `rule`'s hyperparameter once its rule accepts it; nil when the configuration lacks it
    /// (an error when the rule says it is required).
    private func value(_ rule: HyperparameterRule) throws(ObjectiveError) -> ParameterValue? {
        guard let value = config[rule.name] else {
            guard !rule.required else {
                throw ObjectiveError("\(objective): configuration lacks hyperparameter '\(rule.name)'")
            }
            return nil
        }
        if rule.problem(value) != nil {
            let shown = value.stringValue.map { "'\($0)'" } ?? value.typedDescription
            throw ObjectiveError("\(objective): hyperparameter '\(rule.name)' must be \(rule.allowed), got \(shown)")
        }
        return value
    }

    /// A real hyperparameter (`rule` of kind `.real`), or its default.
    func double(_ rule: HyperparameterRule) throws(ObjectiveError) -> Double {
        try (value(rule) ?? rule.fallback)?.realValue ?? 0
    }

    /// An integer hyperparameter (`rule` of kind `.integer`; an integral double is accepted), or its default.
    func int(_ rule: HyperparameterRule) throws(ObjectiveError) -> Int {
        try (value(rule) ?? rule.fallback)?.integerValue ?? 0
    }

    /// A string hyperparameter (`rule` of kind `.choice`), or its default.
    func choice(_ rule: HyperparameterRule) throws(ObjectiveError) -> String {
        try (value(rule) ?? rule.fallback)?.stringValue ?? ""
    }
}
