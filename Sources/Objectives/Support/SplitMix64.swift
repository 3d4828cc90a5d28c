import Foundation

/// A small, fast, seedable generator (SplitMix64). Deterministic across platforms and runs, so a
/// trial's noise, failures, step durations and weight initialisation depend on its seed alone.
struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The whole state: a generator made with `init(seed: state)` continues this one's stream.
    private(set) var state: UInt64

    /// A generator whose stream depends only on `seed`.
    init(seed: UInt64) {
        state = seed
    }

    /// A generator for the sub-stream `stream` of `seed` (e.g. one per resource, one per purpose),
    /// independent of how far any other stream was drawn.
    init(seed: UInt64, stream: UInt64) {
        state = SplitMix64.mix(seed ^ SplitMix64.mix(stream &+ 0x9E37_79B9_7F4A_7C15))
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective scramble of 64 bits.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal deviate (Box–Muller; one of the pair is discarded to keep streams simple).
    mutating func nextGaussian() -> Double {
        let u1 = 1.0 - nextUnit()  // (0, 1]: log is finite
        let u2 = nextUnit()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }
}
