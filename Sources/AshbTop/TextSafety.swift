/// Untrusted text (run names, configuration strings, failure reasons) made safe to print on a
/// terminal: control characters (C0, DEL, C1), which could drive the terminal, become `?`, and the
/// text is cut to `limit` characters.
func terminalSafe(_ text: String, limit: Int = 200) -> String {
    var out = ""
    var n = 0
    for scalar in text.unicodeScalars {
        if n >= limit {
            out.append("…")
            break
        }
        let v = scalar.value
        let isControl =
            v < 0x20 || (v >= 0x7F && v < 0xA0) || (v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069)
        out.unicodeScalars.append(isControl ? "?" : scalar)
        n += 1
    }
    return out
}

/// A name made safe for a directory: letters, digits, `-`, `_` and `.`; others become `-`.
func fileSafe(_ text: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
    var s = String(text.prefix(60).map { allowed.contains($0) ? $0 : "-" })
    while s.hasPrefix(".") { s.removeFirst() }
    return s.isEmpty ? "run" : s
}
