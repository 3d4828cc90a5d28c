import Foundation

/// The one sanitizer for untrusted text (names, configurations, metric names, failure reasons, child
/// output, paths) on its way to any screen or printed line: the dashboard's grid, headless lines,
/// summaries, error messages, CSV shown on a terminal.
///
/// What comes out holds no control characters (C0, DEL, C1), no escape sequences (CSI, OSC, DCS, PM,
/// APC, SOS and two-byte ones are removed whole, with their payload), no bidirectional overrides, no
/// zero-width, format, private-use or unassigned characters, and no combining marks (text is composed
/// to NFC first, so `e` + acute becomes `é`). Tabs, newlines and other line breaks become one space.
/// Characters terminals draw two columns wide (CJK, full-width forms, emoji) are kept and counted as two
/// columns. The result is at most `maxColumns` columns; an ellipsis marks a cut.
public enum Sanitizer {
    /// What the grid draws for a character it cannot show.
    public static let replacement: Character = "?"

    /// Returns `text` cleaned and cut to at most `maxColumns` terminal columns.
    public static func clean(_ text: String, maxColumns: Int = 256) -> String {
        guard maxColumns > 0 else { return "" }
        // Fast path: printable ASCII that fits needs nothing.
        if text.utf8.count <= maxColumns, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var out = String.UnicodeScalarView()
        var widths: [Int] = []
        var columns = 0
        var truncated = false
        var pendingBreak = false
        let scalars = Array(text.precomposedStringWithCanonicalMapping.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let v = scalars[i].value
            if v == 0x1B {
                i = skipEscapeSequence(scalars, from: i)
                continue
            }
            if v == 0x9B || v == 0x9D || v == 0x90 || v == 0x9E || v == 0x9F || v == 0x98 {
                // C1 CSI / OSC / DCS / PM / APC / SOS: skip the string that follows like its 7-bit twin.
                i = skipControlString(scalars, from: i + 1, isCSI: v == 0x9B)
                continue
            }
            i += 1
            if isLineBreakOrTab(v) {
                pendingBreak = true
                continue
            }
            guard let kept = visible(scalars[i - 1]) else { continue }
            if pendingBreak && kept == " " { continue }  // a new line's indentation means nothing on one line
            // A run of breaks is one space between words, none at either end.
            var next: [Unicode.Scalar] = [kept]
            if pendingBreak, let last = out.last, last != " ", kept != " " { next.insert(" ", at: 0) }
            pendingBreak = false
            let w = next.reduce(0) { $0 + Self.columns($1) }
            if columns + w > maxColumns {
                truncated = true
                break
            }
            for s in next {
                out.append(s)
                widths.append(Self.columns(s))
            }
            columns += w
        }
        if truncated {
            // Make room for the ellipsis (one column).
            while columns + 1 > maxColumns, let w = widths.popLast() {
                out.removeLast()
                columns -= w
            }
            out.append("…")
        }
        return String(out)
    }

    /// `bytes` (a child's output, say) decoded as UTF-8, invalid sequences repaired, then cleaned.
    public static func clean(bytes: some Collection<UInt8>, maxColumns: Int = 256) -> String {
        clean(String(decoding: Array(bytes), as: UTF8.self), maxColumns: maxColumns)
    }

    /// The columns a terminal gives `text` once cleaned (0 for what `clean` removes).
    public static func columns(of text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + (visible($1) == nil ? 0 : columns($1)) }
    }

    /// The columns of a scalar that `clean` keeps: 2 for wide ones, else 1.
    public static func columns(_ s: Unicode.Scalar) -> Int { isWide(s.value) ? 2 : 1 }

    /// `s` itself when it may be drawn as it is (in one or two columns), or nil when it must vanish.
    public static func visible(_ s: Unicode.Scalar) -> Unicode.Scalar? {
        let v = s.value
        if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) { return nil }
        if v < 0x7F { return s }
        // Bidi controls and invisible formatting characters.
        if (0x200B...0x200F).contains(v) || (0x202A...0x202E).contains(v) || (0x2060...0x206F).contains(v)
            || v == 0xFEFF || v == 0x061C || v == 0x00AD || (0xFE00...0xFE0F).contains(v)
            || (0xE0000...0xE007F).contains(v)
        {
            return nil
        }
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .spacingMark, .format, .control, .surrogate, .unassigned,
            .privateUse, .lineSeparator, .paragraphSeparator:
            return nil
        default:
            return s
        }
    }

    /// True for scalars that terminals draw two columns wide (East Asian wide and full-width, emoji).
    public static func isWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        return (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x1F900...0x1F9FF).contains(v) || (0x1FA70...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
            || ((0x2300...0x27BF).contains(v) || (0x1F680...0x1F6FF).contains(v) || (0x2B00...0x2BFF).contains(v))
                && (Unicode.Scalar(v)?.properties.isEmojiPresentation ?? false)
    }

    private static func isLineBreakOrTab(_ v: UInt32) -> Bool {
        (0x09...0x0D).contains(v) || v == 0x85 || v == 0x2028 || v == 0x2029
    }

    /// Skips an escape sequence starting at the ESC at `start`; returns the index after it.
    private static func skipEscapeSequence(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start + 1
        guard i < s.count else { return i }
        switch s[i].value {
        case 0x5B:  // '[' CSI
            return skipControlString(s, from: i + 1, isCSI: true)
        case 0x5D, 0x50, 0x5E, 0x5F, 0x58:  // OSC, DCS, PM, APC, SOS: up to BEL or ST
            return skipControlString(s, from: i + 1, isCSI: false)
        default:
            // Two-byte sequences (ESC c, ESC 7, ESC ( B ...): skip intermediates then the final.
            while i < s.count, (0x20...0x2F).contains(s[i].value) { i += 1 }
            return min(i + 1, s.count)
        }
    }

    /// Skips a CSI's parameters and final byte, or a string up to BEL / ESC \ / ST.
    private static func skipControlString(_ s: [Unicode.Scalar], from start: Int, isCSI: Bool) -> Int {
        var i = start
        if isCSI {
            while i < s.count, (0x20...0x3F).contains(s[i].value) { i += 1 }
            return min(i + 1, s.count)
        }
        while i < s.count {
            let v = s[i].value
            if v == 0x07 || v == 0x9C { return i + 1 }
            if v == 0x1B { return min(i + 2, s.count) }
            i += 1
        }
        return i
    }
}
