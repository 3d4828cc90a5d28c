/// The hyperparameters to tune, in order, validated.
///
/// `sample(index:seed:)` is a pure function: parameter i of configuration `index` is drawn from
/// `SplitMix64.bits(seed: seed, index, i + 1)` alone, so a configuration never depends on the ones
/// sampled before it and comes out bit for bit the same on every machine.
public struct SearchSpace: Sendable, Hashable {
    /// The parameters, in the order given (and the order of every configuration's entries).
    public private(set) var parameters: [Parameter]

    /// Validates the parameters: names must be non-empty and unique; ranges need finite bounds with
    /// `low < high`; log ranges need positive bounds; steps must be finite and positive; choices need
    /// at least one value. The error names the first parameter at fault.
    public init(_ parameters: [Parameter]) throws(SearchSpaceError) {
        var seen = Set<String>()
        for parameter in parameters {
            if parameter.name.isEmpty {
                throw SearchSpaceError(parameter: "", message: "name must not be empty")
            }
            if !seen.insert(parameter.name).inserted {
                throw SearchSpaceError(parameter: parameter.name, message: "duplicate name")
            }
            if let problem = parameter.domain.problem() {
                throw SearchSpaceError(parameter: parameter.name, message: problem)
            }
        }
        self.parameters = parameters
    }

    /// The configuration of trial `index` under `seed`; depends on nothing else.
    public func sample(index: Int, seed: UInt64) -> Configuration {
        var entries: [Configuration.Entry] = []
        entries.reserveCapacity(parameters.count)
        for (i, parameter) in parameters.enumerated() {
            let bits = SplitMix64.bits(seed: seed, UInt64(bitPattern: Int64(index)), UInt64(i) + 1)
            entries.append(Configuration.Entry(name: parameter.name, value: parameter.domain.value(bits: bits)))
        }
        return Configuration(entries)
    }
}
