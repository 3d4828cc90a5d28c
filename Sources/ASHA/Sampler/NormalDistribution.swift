/// The standard normal distribution, written with IEEE basic operations and `DeterministicMath`, so a
/// model-based sample comes out bit for bit the same on every machine (a resumed run checks that the
/// configurations it samples are the ones in its log).
enum NormalDistribution {
    /// Φ(x), the cumulative distribution function (absolute error below 1e-7: Chebyshev fit of erfc).
    static func cdf(_ x: Double) -> Double {
        0.5 * erfc(-x * 0.707_106_781_186_547_524_4)
    }

    /// The complementary error function (fractional error below 1.2e-7; Numerical Recipes' `erfcc`).
    static func erfc(_ x: Double) -> Double {
        let z = abs(x)
        let t = 1 / (1 + 0.5 * z)
        var poly = 0.17087277
        for c in [-0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368] {
            poly = c + t * poly
        }
        let answer = t * DeterministicMath.exp(-z * z - 1.26551223 + t * poly)
        return x >= 0 ? answer : 2 - answer
    }

    /// Φ⁻¹(p) for p in (0, 1) (relative error below 1.2e-9: P. J. Acklam's rational approximation);
    /// p is clamped into [1e-300, 1 − 2⁻⁵³] first.
    static func quantile(_ p: Double) -> Double {
        let p = min(1 - 0x1p-53, max(1e-300, p))
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01,
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low || p > 1 - low {
            let q = (-2 * DeterministicMath.log(p < low ? p : 1 - p)).squareRoot()
            let x =
                (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            return p < low ? x : -x
        }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }

    /// A draw from the normal distribution N(mean, sd²) truncated to [0, 1], by inversion of `u` in [0, 1).
    static func truncatedUnit(mean: Double, sd: Double, u: Double) -> Double {
        let a = cdf((0 - mean) / sd)
        let b = cdf((1 - mean) / sd)
        return clampUnit(mean + sd * quantile(a + u * (b - a)))
    }
}
