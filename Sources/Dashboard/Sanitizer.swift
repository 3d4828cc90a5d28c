import Foundation

/// Makes untrusted text (run names, configuration strings, failure reasons) safe for a cell grid:
/// no control characters (C0, DEL, C1), no escape sequences, no bidirectional overrides, no
/// zero-width or combining marks, no double-width characters, and at most a given number of columns.
public enum Sanitizer {
    /// The replacement for a character that cannot be shown in one column.
    public static let replacement: Character = "?"

    /// Returns `text` cleaned and cut to at most `maxColumns` columns (an ellipsis marks a cut).
    public static func clean(_ text: String, maxColumns: Int = 256) -> String {
        guard maxColumns > 0 else { return "" }
        // Fast path: printable ASCII that fits needs nothing.
        if text.utf8.count <= maxColumns, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var out = String.UnicodeScalarView()
        var columns = 0
        var truncated = false
        let scalars = Array(text.precomposedStringWithCanonicalMapping.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let v = scalars[i].value
            if v == 0x1B {
                i = skipEscapeSequence(scalars, from: i)
                continue
            }
            if v == 0x9B || v == 0x9D || v == 0x90 || v == 0x9E || v == 0x9F {
                // C1 CSI / OSC / DCS / PM / APC: skip the string that follows like its 7-bit twin.
                i = skipControlString(scalars, from: i + 1, isCSI: v == 0x9B)
                continue
            }
            i += 1
            guard let kept = visible(scalars[i - 1]) else { continue }
            if columns == maxColumns {
                truncated = true
                break
            }
            out.append(kept)
            columns += 1
        }
        if truncated {
            if !out.isEmpty { out.removeLast() }
            out.append("…")
        }
        return String(out)
    }

    /// The scalar to draw for `s` in one column, or nil when it should vanish.
    static func visible(_ s: Unicode.Scalar) -> Unicode.Scalar? {
        let v = s.value
        if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) { return nil }
        if v < 0x7F { return s }
        // Bidi controls and invisible formatting characters.
        if (0x200B...0x200F).contains(v) || (0x202A...0x202E).contains(v) || (0x2060...0x206F).contains(v)
            || v == 0xFEFF || v == 0x061C || v == 0x00AD
        {
            return nil
        }
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .spacingMark, .format, .control, .surrogate, .unassigned,
            .privateUse, .lineSeparator, .paragraphSeparator:
            return nil
        default:
            break
        }
        if isWide(v) { return Unicode.Scalar(UInt8(ascii: "?")) }
        return s
    }

    /// True for scalars that terminals draw two columns wide (East Asian wide/full-width, emoji).
    static func isWide(_ v: UInt32) -> Bool {
        (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x1F900...0x1F9FF).contains(v) || (0x1FA70...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
            || (0x2600...0x27BF).contains(v) && hasEmojiPresentation(v)
    }

    private static func hasEmojiPresentation(_ v: UInt32) -> Bool {
        Unicode.Scalar(v)?.properties.isEmojiPresentation ?? false
    }

    /// Skips an escape sequence starting at the ESC at `start`; returns the index after it.
    private static func skipEscapeSequence(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start + 1
        guard i < s.count else { return i }
        let next = s[i].value
        switch next {
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
