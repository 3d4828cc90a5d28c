import ASHA

extension ObjectiveCatalog {
    /// Options shared by every synthetic objective.
    static let commonSyntheticOptions: [OptionSpec] = [
        OptionSpec("max_resource", default: .int(81), "R: largest resource; the fidelity bias is 0 from there"),
        OptionSpec(
            "noise", default: .double(0), "std of Gaussian noise added to each value (seeded per trial and resource)"),
        OptionSpec(
            "bias", default: .double(1),
            "size of the low-fidelity bias: f + bias*(1+|f|)*(e^(-r/tau)-e^(-R/tau))/(1-e^(-R/tau))"),
        OptionSpec("tau", default: .double(0), "resource scale of the bias's decay; 0 means max_resource/8"),
        OptionSpec(
            "tau_spread", default: .double(0.5),
            "relative spread of tau across configurations (curves cross), in [0, 1)"),
        OptionSpec("fail_rate", default: .double(0), "probability that a trial throws at a seeded step"),
        OptionSpec("nan_rate", default: .double(0), "probability that a trial reports NaN from a seeded step on"),
    ]

    /// The settings the common options describe.
    static func syntheticSettings(_ options: ResolvedOptions) throws(ObjectiveError) -> SyntheticSettings {
        var settings = SyntheticSettings()
        settings.maxResource = try options.int("max_resource", in: 1...1_000_000_000)
        settings.noise = try options.double("noise", in: 0...1e12)
        settings.bias = try options.double("bias", in: 0...1e12)
        let tau = try options.double("tau", in: 0...1e12)
        settings.tau = tau > 0 ? tau : nil
        settings.tauSpread = try options.double("tau_spread", in: 0...0.99)
        settings.failRate = try options.double("fail_rate", in: 0...1)
        settings.nanRate = try options.double("nan_rate", in: 0...1)
        settings.sigma = try options.double("sigma", in: 0...10)
        settings.sleep = options.bool("sleep")
        return settings
    }

    /// How a synthetic function's steps take time in the simulated-clock entries (`branin`, `hartmann6`):
    /// a declared `cost` per resource unit, spread by `sigma`, not slept unless asked.
    static let simulatedTiming: [OptionSpec] = [
        OptionSpec(
            "cost", default: .double(0.01),
            "seconds per resource unit declared in Step.cost (the median when sigma > 0)"),
        OptionSpec("sigma", default: .double(0), "log-normal spread of step durations: cost * exp(sigma * z)"),
        OptionSpec("sleep", default: .bool(false), "really sleep each step's duration"),
    ]

    /// The entry for a synthetic function: the timing options (a step's duration from the option
    /// `costKey`, `sigma` and `sleep`), then the common options. `name` defaults to the function's.
    static func syntheticEntry(
        _ function: SyntheticFunction, name: String? = nil, summary: String, timing: [OptionSpec] = simulatedTiming,
        costKey: String = "cost"
    ) -> Entry {
        Entry(
            name: name ?? function.name, summary: summary, metric: "value", options: timing + commonSyntheticOptions,
            hyperparameters: SyntheticObjective.rules(function).map(\.summary),
            build: { options, _ in
                var settings = try syntheticSettings(options)
                settings.costPerUnit = try options.double(costKey, in: 0...3600)
                return try SyntheticObjective(function: function, settings: settings, name: name)
            }
        )
    }
}

extension OptionSpec {
    /// An option with a default, of the default's kind.
    init(_ key: String, default value: ParameterValue, _ summary: String) {
        let kind: OptionKind =
            switch value {
            case .double: .double
            case .int: .int
            case .bool: .bool
            case .string: .string
            }
        self.init(key: key, kind: kind, defaultValue: value, summary: summary)
    }
}
