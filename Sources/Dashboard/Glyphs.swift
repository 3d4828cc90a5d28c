import ASHA

/// The characters a frame is drawn with: UTF-8 box drawing, blocks and arrows, or plain ASCII.
struct Glyphs: Sendable {
    let ascii: Bool
    let horizontal: Character
    let vertical: Character
    let topLeft: Character
    let topRight: Character
    let bottomLeft: Character
    let bottomRight: Character
    let full: Character
    let waiting: Character
    let other: Character
    let empty: Character
    let arrow: String
    let ellipsis: String
    /// A one-column mark for text cut short ('~' in ASCII).
    let ellipsisOne: String
    let cursor: Character
    let cutoffMark: Character
    /// Sparkline levels, low to high.
    let levels: [Character]
    /// Partial blocks for progress bars, 1/8 to 7/8.
    let partials: [Character]

    init(ascii: Bool) {
        self.ascii = ascii
        // Each glyph in ASCII, then in UTF-8.
        func pick<T>(_ plain: T, _ utf8: T) -> T { ascii ? plain : utf8 }
        horizontal = pick("-", "─")
        vertical = pick("|", "│")
        topLeft = pick("+", "┌")
        topRight = pick("+", "┐")
        bottomLeft = pick("+", "└")
        bottomRight = pick("+", "┘")
        full = pick("#", "█")
        waiting = pick("=", "▒")
        other = pick(".", "░")
        empty = " "
        arrow = pick("->", "→")
        ellipsis = pick("...", "…")
        ellipsisOne = pick("~", "…")
        cursor = pick("_", "█")
        cutoffMark = pick("x", "×")
        levels = pick(["_", ".", "-", "~", "=", "*", "#", "#"], ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"])
        partials = pick([], ["▏", "▎", "▍", "▌", "▋", "▊", "▉"])
    }
}

/// Pads or cuts `s` to exactly `n` columns (right-aligned when `right`).
func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
    guard n > 0 else { return "" }
    let c = s.count
    if c == n { return s }
    if c > n { return String(s.prefix(n)) }
    let fill = String(repeating: " ", count: n - c)
    return right ? fill + s : s + fill
}

/// `v` rounded down and clamped to `lo...hi` (0 → `lo` for NaN), never trapping.
func clampedInt(_ v: Double, _ lo: Int, _ hi: Int) -> Int {
    guard v.isFinite else { return v == .infinity ? hi : lo }
    if v <= Double(lo) { return lo }
    if v >= Double(hi) { return hi }
    return Int(v)
}

/// A right-aligned column heading: cut to leave at least one space before it (ending in "…" when cut).
func headerCell(_ s: String, _ n: Int, ascii: Bool = false) -> String {
    guard s.count >= n else { return pad(s, n, right: true) }
    return " " + String(s.prefix(max(0, n - 2))) + (ascii ? "~" : "…")
}

/// A metric value for a column ("-" when missing).
func metricText(_ v: Double?) -> String {
    guard let v else { return "-" }
    return formatShort(v)
}
