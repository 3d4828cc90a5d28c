import Foundation

/// What a replay key asks the player to do.
public enum ReplayControl: Equatable, Sendable {
    /// Play or pause.
    case playPause
    /// The next speed up (×0.25 … ×1024, then as fast as possible).
    case faster
    /// The next speed down.
    case slower
    /// Apply one more event (+1) or take the last one back (-1).
    case step(Int)
    /// Go to just after the next decision about the selected trial.
    case nextDecision
    /// Go to just after the previous decision about the selected trial.
    case previousDecision
    /// Move the replay clock by this many seconds (negative: back).
    case seek(seconds: Double)
    /// Go to the start of the log.
    case start
    /// Go to the end of what was read (and stay there while more arrives).
    case end
    /// Go to a time or an event number typed after `:`.
    case jump(ReplayTarget)
}

/// Where `:` jumps to: a replay time, or a position in the log (events applied).
public enum ReplayTarget: Equatable, Sendable {
    /// Seconds since the run started.
    case time(Double)
    /// The number of events applied (the header's "event N").
    case event(Int)

    /// Reads what the user typed after `:`: a bare integer is an event number (`1234`, `#1234`), a
    /// duration with units is a time (`90s`, `12m30s`, `1h2m`, `1.5m`). Nil when it is neither.
    public static func parse(_ text: String) -> ReplayTarget? {
        let t = text.trimmingCharacters(in: .whitespaces)
        var digits = Substring(t)
        if digits.hasPrefix("#") { digits = digits.dropFirst() }
        if !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) {
            return Int(digits).map { .event($0) } ?? .event(Int.max)
        }
        return ReplayTime.parse(t).map { .time($0) }
    }
}

/// Durations as people type them.
public enum ReplayTime {
    /// Seconds from `90`, `90s`, `1.5s`, `12m30s`, `1h2m`, `2h` (units h, m, s, in that order, each at most
    /// once; a bare number is seconds). Nil for anything else, negative or not finite.
    public static func parse(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !s.isEmpty, s.count <= 40 else { return nil }
        if let plain = Double(s), plain.isFinite, plain >= 0, s.allSatisfy({ $0.isASCIIDigit || $0 == "." }) {
            return plain
        }
        let units: [Character: Double] = ["h": 3600, "m": 60, "s": 1]
        let order: [Character] = ["h", "m", "s"]
        var total = 0.0
        var number = ""
        var next = 0
        for c in s {
            if c.isASCIIDigit || c == "." {
                number.append(c)
                continue
            }
            guard let i = order.firstIndex(of: c), i >= next, let value = Double(number), let unit = units[c] else {
                return nil
            }
            total += value * unit
            number = ""
            next = i + 1
        }
        guard number.isEmpty, next > 0, total.isFinite else { return nil }
        return total
    }
}

extension Character {
    /// True for 0-9 only (not other scripts' digits).
    var isASCIIDigit: Bool { isASCII && isNumber }
}
