import ASHA

extension ObjectiveCatalog {
    /// Options shared by every synthetic objective.
    static let commonSyntheticOptions: [OptionSpec] = [
        OptionSpec(
            key: "max_resource", kind: .int, defaultValue: .int(81),
            summary: "R: largest resource; the fidelity bias is 0 from there"),
        OptionSpec(
            key: "noise", kind: .double, defaultValue: .double(0),
            summary: "std of Gaussian noise added to each value (seeded per trial and resource)"),
        OptionSpec(
            key: "bias", kind: .double, defaultValue: .double(1),
            summary: "size of the low-fidelity bias: f + bias*(1+|f|)*(e^(-r/tau)-e^(-R/tau))/(1-e^(-R/tau))"),
        OptionSpec(
            key: "tau", kind: .double, defaultValue: .double(0),
            summary: "resource scale of the bias's decay; 0 means max_resource/8"),
        OptionSpec(
            key: "tau_spread", kind: .double, defaultValue: .double(0.5),
            summary: "relative spread of tau across configurations (curves cross), in [0, 1)"),
        OptionSpec(
            key: "fail_rate", kind: .double, defaultValue: .double(0),
            summary: "probability that a trial throws at a seeded step"),
        OptionSpec(
            key: "nan_rate", kind: .double, defaultValue: .double(0),
            summary: "probability that a trial reports NaN from a seeded step on"),
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

    /// The entry for a synthetic function with the common options plus `cost`, `sigma`, `sleep`.
    static func syntheticEntry(_ function: SyntheticFunction, summary: String) -> Entry {
        Entry(
            name: function.name, summary: summary, metric: "value",
            options: [
                OptionSpec(
                    key: "cost", kind: .double, defaultValue: .double(0.01),
                    summary: "seconds per resource unit declared in Step.cost (the median when sigma > 0)"),
                OptionSpec(
                    key: "sigma", kind: .double, defaultValue: .double(0),
                    summary: "log-normal spread of step durations: cost * exp(sigma * z)"),
                OptionSpec(
                    key: "sleep", kind: .bool, defaultValue: .bool(false), summary: "really sleep each step's duration"),
            ] + commonSyntheticOptions,
            build: { options, _ in
                var settings = try syntheticSettings(options)
                settings.costPerUnit = try options.double("cost", in: 0...3600)
                return try SyntheticObjective(function: function, settings: settings)
            }
        )
    }
}
