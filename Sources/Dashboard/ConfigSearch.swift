import ASHA
import RunLog

/// The word filter's search of a configuration's text without making the text as a string.
///
/// The text a word is searched in is `TrialRecord.configText` in lower case: `name=value` pairs joined
/// by spaces, values as `formatShort` writes them, sanitized to at most 512 columns. Made as a string for
/// every trial, that took 1–3 s for 650,000 trials (`String(format:)` for each real). Here the bytes are
/// written into a buffer on the stack, reals by `appendShort` (the same digits as `formatShort`, which
/// it falls back to where rounding is too close to call), and searched there. A configuration whose text
/// would not be printable ASCII within 512 bytes (what the sanitizer leaves as it is) is searched in the
/// sanitized string, as before.
enum ConfigSearch {
    /// The longest text searched in the buffer (the sanitizer's limit).
    static let maxBytes = 512

    /// Whether the lower-case configuration text of `config` contains `needle` (lower case).
    static func contains(_ config: StoredConfiguration, _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        let found = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxBytes + 64) { buffer -> Bool? in
            needle.withUnsafeBufferPointer { needle in
                write(config, into: buffer.baseAddress!, until: needle)
            }
        }
        if let found { return found }
        return search(Array(TrialRecord.configText(config.configuration).lowercased().utf8), needle)
    }

    /// Writes the lower-case text of `config` into `out` (room for `maxBytes + 64`) until it holds
    /// `needle`: true when it does, false when the whole text does not, nil when the text is not printable
    /// ASCII or longer than `maxBytes` (what the sanitizer would change). Each name is searched as soon as
    /// it is written, so a word found in the names (`x`, `1` in `x1`) costs no value's digits.
    static func write(
        _ config: StoredConfiguration, into out: UnsafeMutablePointer<UInt8>, until needle: UnsafeBufferPointer<UInt8>
    ) -> Bool? {
        var n = 0
        var searched = 0  // text before this is searched (but for a match that would end after it)
        func found() -> Bool {
            let from = max(0, searched - needle.count + 1)
            searched = n
            return search(UnsafeBufferPointer(start: out + from, count: n - from), needle)
        }
        for i in 0..<config.count {
            if i > 0 {
                out[n] = 0x20
                n += 1
            }
            guard appendText(config.name(at: i), to: out, at: &n) else { return nil }
            out[n] = UInt8(ascii: "=")
            n += 1
            if n > maxBytes { return nil }
            if found() {
                // Found in what is written; the rest must still be plain and short enough for the fast
                // path to hold (else the sanitized text decides).
                return rest(config, from: i, at: n)
            }
            switch config.value(at: i) {
            case .double(let d): appendShort(d, to: out, at: &n)
            case .int(let v): appendInteger(Int64(v), to: out, at: &n)
            case .bool(let b): guard appendText(b ? "true" : "false", to: out, at: &n) else { return nil }
            case .string(let s): guard appendText(s, to: out, at: &n) else { return nil }
            }
            if n > maxBytes { return nil }
        }
        return found()
    }

    /// True when the text of `config` after the name of parameter `i`, written after `n` bytes, is sure to
    /// be printable ASCII within `maxBytes` (names and strings checked, numbers counted at their longest:
    /// no digits made); nil otherwise (the caller then asks the sanitized text).
    private static func rest(_ config: StoredConfiguration, from i: Int, at n: Int) -> Bool? {
        func plain(_ text: String) -> Int? {
            var count = 0
            for byte in text.utf8 {
                guard byte >= 0x20, byte < 0x7F else { return nil }
                count += 1
            }
            return count
        }
        var bound = n
        for k in i..<config.count {
            if k > i {
                guard let length = plain(config.name(at: k)) else { return nil }
                bound += length + 2
            }
            switch config.value(at: k) {
            case .double: bound += 24
            case .int: bound += 20
            case .bool: bound += 5
            case .string(let s):
                guard let length = plain(s) else { return nil }
                bound += length
            }
        }
        return bound <= maxBytes ? true : nil
    }

    /// Appends `text` lower-cased; false when it holds a byte the sanitizer would change (anything but
    /// printable ASCII) or would not fit.
    private static func appendText(_ text: String, to out: UnsafeMutablePointer<UInt8>, at n: inout Int) -> Bool {
        for byte in text.utf8 {
            guard byte >= 0x20, byte < 0x7F, n < maxBytes + 1 else { return false }
            out[n] = byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte
            n += 1
        }
        return true
    }

    private static func appendInteger(_ v: Int64, to out: UnsafeMutablePointer<UInt8>, at n: inout Int) {
        var digits: (UInt64, Int) = (v.magnitude, 0)
        if v < 0 {
            out[n] = UInt8(ascii: "-")
            n += 1
        }
        var tmp = digits.0
        repeat {
            digits.1 += 1
            tmp /= 10
        } while tmp > 0
        var k = n + digits.1 - 1
        repeat {
            out[k] = UInt8(ascii: "0") + UInt8(digits.0 % 10)
            digits.0 /= 10
            k -= 1
        } while digits.0 > 0
        n += digits.1
    }

    /// Powers of ten a double holds exactly.
    private static let powers: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { a, _ in a * 10 } }

    /// Appends `formatShort(d)` lower-cased (at most 24 bytes).
    static func appendShort(_ d: Double, to out: UnsafeMutablePointer<UInt8>, at n: inout Int) {
        if d.isNaN || d.isInfinite || (d == d.rounded() && abs(d) < 1e15) {
            // NaN, Inf and whole numbers are cheap as they are.
            _ = appendText(formatShort(d), to: out, at: &n)
            return
        }
        guard let (digits, exponent) = sixDigits(abs(d)) else {
            _ = appendText(formatShort(d), to: out, at: &n)
            return
        }
        if d < 0 {
            out[n] = UInt8(ascii: "-")
            n += 1
        }
        // `%.6g`: fixed notation for exponents -4 ..< 6, else scientific; trailing zeros dropped.
        let zero = UInt8(ascii: "0")
        // The six digits, first one in the lowest byte (divisions by a constant: multiplications).
        var packed: UInt64 = 0
        var rest = digits
        for _ in 0..<6 {
            packed = packed << 8 | UInt64(rest % 10)
            rest /= 10
        }
        var last = 5  // the last digit written (trailing zeros dropped)
        while last > 0, (packed >> UInt64(8 * last)) & 0xFF == 0 { last -= 1 }
        @inline(__always) func digit(_ k: Int) -> UInt8 { zero + UInt8(truncatingIfNeeded: packed >> UInt64(8 * k)) }
        if exponent >= -4, exponent < 6 {
            if exponent >= 0 {
                for k in 0...exponent {
                    out[n] = digit(k)
                    n += 1
                }
                if last > exponent {
                    out[n] = UInt8(ascii: ".")
                    n += 1
                    for k in (exponent + 1)...last {
                        out[n] = digit(k)
                        n += 1
                    }
                }
            } else {
                out[n] = zero
                out[n + 1] = UInt8(ascii: ".")
                n += 2
                for _ in 0..<(-exponent - 1) {
                    out[n] = zero
                    n += 1
                }
                for k in 0...last {
                    out[n] = digit(k)
                    n += 1
                }
            }
        } else {
            out[n] = digit(0)
            n += 1
            if last > 0 {
                out[n] = UInt8(ascii: ".")
                n += 1
                for k in 1...last {
                    out[n] = digit(k)
                    n += 1
                }
            }
            out[n] = UInt8(ascii: "e")
            out[n + 1] = UInt8(ascii: exponent < 0 ? "-" : "+")
            n += 2
            if abs(exponent) < 10 {
                out[n] = zero
                n += 1
            }
            appendInteger(Int64(abs(exponent)), to: out, at: &n)
        }
    }

    /// `a` (finite, positive) rounded to six significant digits: the digits as an integer in
    /// 100000 ... 999999 and the decimal exponent of the first one; nil where the double arithmetic
    /// cannot tell the rounding for sure (a value within 1e-7 of a tie, or beyond 10^±22 of the digits).
    static func sixDigits(_ a: Double) -> (Int, Int)? {
        guard a.isNormal else { return nil }
        // log10(2) × the binary exponent: at most one off, put right below.
        var e10 = Int((Double(a.exponent) * 0.301_029_995_663_981_2).rounded(.down))
        for _ in 0..<4 {
            let p = 5 - e10
            guard abs(p) <= 22 else { return nil }
            let m = p >= 0 ? a * powers[p] : a / powers[-p]
            if m < 100_000 {
                e10 -= 1
                continue
            }
            if m >= 1_000_000 {
                e10 += 1
                continue
            }
            let fraction = m - m.rounded(.down)
            if abs(fraction - 0.5) < 1e-7 { return nil }
            let r = Int((m + 0.5).rounded(.down))
            // 999999.5 and up rounds to the next power of ten.
            return r == 1_000_000 ? (100_000, e10 + 1) : (r, e10)
        }
        return nil
    }

    /// Byte substring search.
    static func search(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = needle.count
        guard n > 0 else { return true }
        guard hay.count >= n else { return false }
        let first = needle[0]
        var i = 0
        let last = hay.count - n
        while i <= last {
            if hay[i] == first {
                var j = 1
                while j < n, hay[i + j] == needle[j] { j += 1 }
                if j == n { return true }
            }
            i += 1
        }
        return false
    }

    /// `search` in an array.
    static func search(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        hay.withUnsafeBufferPointer { hay in needle.withUnsafeBufferPointer { search(hay, $0) } }
    }
}
