import Foundation

/// SplitMix64: a tiny, fast, seedable random number generator, also usable as a counter-based hash.
///
/// The scheduler never draws from a shared stream. Every random number it needs is a pure function
/// of `(seed, a, b)` through `SplitMix64.bits(seed:_:_:)`, so configuration `i` is computed without
/// sampling configurations `0..<i`, and the same numbers come out on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The golden-ratio increment of SplitMix64.
    public static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The generator's state; `next()` adds `gamma` to it and returns the mix of the result.
    public var state: UInt64

    /// A generator starting at `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits of the stream.
    public mutating func next() -> UInt64 {
        state &+= Self.gamma
        return Self.mix(state)
    }

    /// SplitMix64's finaliser (Stafford's variant 13): a bijection on 64-bit words with full avalanche.
    @inlinable
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Counter-based random bits for the coordinates `(a, b)` under `seed`:
    /// `mix(mix(mix(seed + γ) + (a + 1)·γ) + (b + 1)·γ)` with wrapping arithmetic.
    ///
    /// The scheduler uses `a` = trial index and `b` = 0 for the bracket choice, `b` = i + 1 for
    /// parameter i of the search space.
    @inlinable
    public static func bits(seed: UInt64, _ a: UInt64, _ b: UInt64) -> UInt64 {
        let h0 = mix(seed &+ gamma)
        let h1 = mix(h0 &+ (a &+ 1) &* gamma)
        return mix(h1 &+ (b &+ 1) &* gamma)
    }

    /// Maps 64 random bits to a `Double` in [0, 1) using the top 53 bits (exact, machine independent).
    @inlinable
    public static func unitInterval(_ bits: UInt64) -> Double {
        Double(bits >> 11) * 0x1p-53
    }

    /// Maps 64 random bits to an integer in `0..<count` (Lemire's multiply-high; `count` ≥ 1).
    @inlinable
    public static func index(_ bits: UInt64, below count: Int) -> Int {
        Int(bits.multipliedFullWidth(by: UInt64(count)).high)
    }
}

extension SplitMix64 {
    /// A generator for the sub-stream `stream` of `seed` (e.g. one per resource, one per purpose),
    /// independent of how far any other stream was drawn. Objectives draw a trial's noise, failures,
    /// step durations and weights this way, from the trial's seed alone.
    public init(seed: UInt64, stream: UInt64) {
        state = Self.mix(seed ^ Self.mix(stream &+ Self.gamma))
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double { Self.unitInterval(next()) }

    /// A standard normal deviate (Box–Muller; one of the pair is discarded to keep streams simple).
    public mutating func nextGaussian() -> Double {
        let u1 = 1.0 - nextUnit()  // (0, 1]: log is finite
        let u2 = nextUnit()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }
}
