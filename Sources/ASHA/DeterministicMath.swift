/// `exp` and `log` written with the four IEEE operations only, so log-uniform sampling gives the
/// same bits on every machine and C library (libm's `exp`/`log` may differ in the last bit).
/// Accuracy is a few ulp, far finer than sampling needs.
enum DeterministicMath {
    private static let ln2Hi = 6.931_471_803_691_238_164_90e-01
    private static let ln2Lo = 1.908_214_929_270_587_700_02e-10
    private static let ln2 = 0.693_147_180_559_945_309_417_232_121_458

    /// e^x.
    static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.78 { return .infinity }
        if x < -745.2 { return 0 }
        let k = (x / ln2).rounded()
        let r = (x - k * ln2Hi) - k * ln2Lo
        // Taylor series of e^r for |r| ≤ 0.35: terms up to r^14/14! leave an error below 1e-17.
        var term = 1.0
        var sum = 1.0
        for n in 1...14 {
            term = term * r / Double(n)
            sum += term
        }
        return Double(sign: .plus, exponent: Int(k), significand: sum)
    }

    /// The natural logarithm of x (NaN for negative x, -∞ for 0).
    static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x.isInfinite { return x }
        var m = x.significand
        var e = Double(x.exponent)
        if m > 1.414_213_562_373_095_048_8 {
            m /= 2
            e += 1
        }
        // log m = 2·atanh(t), t = (m − 1)/(m + 1), |t| ≤ 0.172: 13 odd terms leave an error below 1e-19.
        let t = (m - 1) / (m + 1)
        let t2 = t * t
        var power = t
        var sum = 0.0
        var n = 1.0
        for _ in 0..<13 {
            sum += power / n
            power *= t2
            n += 2
        }
        return e * ln2 + 2 * sum
    }
}
