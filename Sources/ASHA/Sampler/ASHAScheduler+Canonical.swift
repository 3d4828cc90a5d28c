extension ASHAScheduler {
    /// Tells the model-based sampler which configurations evaluate alike: `canonical` maps a
    /// configuration of the space to the one it is evaluated as (the tuner passes
    /// `Objective.canonicalConfiguration`). With `TPESettings.avoidDuplicates` the sampler then avoids
    /// configurations whose canonical form it sampled before. Call it before the first trial, and
    /// with the same function when rebuilding a run from its log. No effect with the random sampler.
    public mutating func canonicalizeSamples(with canonical: @escaping @Sendable (Configuration) -> Configuration) {
        precondition(trials.isEmpty, "set the canonical form before sampling")
        tpe?.canonical = canonical
    }
}
