/// A cheap scan that bounds how deeply a YAML text nests before the YAML parser (which recurses once
/// per level and overflows the stack on a few thousand levels) ever sees it.
///
/// The depth of a line is the number of block levels open at it (indentation levels plus compact `- `
/// and `? ` entries) plus the flow collections (`[`, `{`) open at each point of it. The scan knows
/// enough YAML not to count brackets inside quoted strings, comments, block scalars (`|`, `>`) or plain
/// text such as `run: python3 x[1].py`; where it is unsure it counts a level too many, never too few.
enum SpecNesting {
    /// The deepest nesting accepted. A spec needs four or five levels; the parser copes with thousands.
    static let maxDepth = 64

    /// The first line (1-based) where the nesting passes `limit`, or nil when it never does.
    static func firstTooDeepLine(_ text: String, limit: Int = maxDepth) -> Int? {
        var indents: [Int] = []
        var flow = 0
        var quote: UInt8 = 0  // the quote character of a string open across lines, or 0
        var blockScalarIndent: Int?  // lines indented more than this belong to a block scalar
        var lineNumber = 0
        for lineBytes in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Array(lineBytes)
            var i = 0
            while i < line.count, line[i] == UInt8(ascii: " ") { i += 1 }
            let indent = i
            let blank = i == line.count || line[i] == UInt8(ascii: "#") || line[i] == UInt8(ascii: "\r")
            if let b = blockScalarIndent {
                if blank || indent > b { continue }
                blockScalarIndent = nil
            }
            if blank && quote == 0 { continue }
            var block = indents.count
            if flow == 0 && quote == 0 {
                while let last = indents.last, last >= indent { indents.removeLast() }
                indents.append(indent)
                block = indents.count
                // Compact nested entries on one line: `- - - x`, `? - x`.
                while i < line.count, line[i] == UInt8(ascii: "-") || line[i] == UInt8(ascii: "?"),
                    i + 1 == line.count || line[i + 1] == UInt8(ascii: " ")
                {
                    block += 1
                    i += 1
                    while i < line.count, line[i] == UInt8(ascii: " ") { i += 1 }
                }
                if block > limit { return lineNumber }
                // In block context a flow collection starts only where a value starts: here, or after `: `.
                if i < line.count, !isFlowStart(line, at: i) {
                    guard let colon = mappingColon(line, from: i) else {
                        if endsWithBlockScalarIndicator(line) { blockScalarIndent = indent }
                        continue
                    }
                    i = colon + 1
                    while i < line.count, line[i] == UInt8(ascii: " ") { i += 1 }
                    if endsWithBlockScalarIndicator(line) {
                        blockScalarIndent = indent
                        continue
                    }
                    if i == line.count || !isFlowStart(line, at: i) { continue }
                }
            }
            // Flow context (or a quoted string that continues): count brackets outside quotes and comments.
            while i < line.count {
                let c = line[i]
                if quote != 0 {
                    if c == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                        i += 2
                        continue
                    }
                    if c == quote { quote = 0 }
                    i += 1
                    continue
                }
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = c
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    flow += 1
                    if block + flow > limit { return lineNumber }
                case UInt8(ascii: "]"), UInt8(ascii: "}"): flow = max(0, flow - 1)
                case UInt8(ascii: "#") where i > 0 && line[i - 1] == UInt8(ascii: " "):
                    i = line.count
                    continue
                default: break
                }
                i += 1
                if flow == 0 && quote == 0 { break }  // the flow collection ended: the rest is plain text
            }
        }
        return nil
    }

    /// Whether a value starting at `i` is a flow collection (after any anchor or tag).
    private static func isFlowStart(_ line: [UInt8], at start: Int) -> Bool {
        var i = start
        // Skip `&anchor ` and `!tag ` properties.
        while i < line.count, line[i] == UInt8(ascii: "&") || line[i] == UInt8(ascii: "!") {
            while i < line.count, line[i] != UInt8(ascii: " ") { i += 1 }
            while i < line.count, line[i] == UInt8(ascii: " ") { i += 1 }
        }
        return i < line.count && (line[i] == UInt8(ascii: "[") || line[i] == UInt8(ascii: "{"))
    }

    /// The index of the `:` that ends a plain or quoted mapping key starting at `start`, if any.
    private static func mappingColon(_ line: [UInt8], from start: Int) -> Int? {
        var i = start
        var quote: UInt8 = 0
        if line[i] == UInt8(ascii: "\"") || line[i] == UInt8(ascii: "'") {
            quote = line[i]
            i += 1
            while i < line.count, line[i] != quote { i += line[i] == UInt8(ascii: "\\") && quote == 34 ? 2 : 1 }
            i += 1
        }
        while i < line.count {
            if line[i] == UInt8(ascii: "#"), i > 0, line[i - 1] == UInt8(ascii: " ") { return nil }
            if line[i] == UInt8(ascii: ":"), i + 1 == line.count || line[i + 1] == UInt8(ascii: " ") { return i }
            i += 1
        }
        return nil
    }

    /// Whether the line's value is a block scalar header (`|`, `>`, with optional indicators).
    private static func endsWithBlockScalarIndicator(_ line: [UInt8]) -> Bool {
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: " ") || line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        var j = end
        while j > 0,
            line[j - 1] == UInt8(ascii: "-") || line[j - 1] == UInt8(ascii: "+")
                || (line[j - 1] >= UInt8(ascii: "1") && line[j - 1] <= UInt8(ascii: "9"))
        {
            j -= 1
        }
        guard j > 0, line[j - 1] == UInt8(ascii: "|") || line[j - 1] == UInt8(ascii: ">") else { return false }
        return j == 1 || line[j - 2] == UInt8(ascii: " ")
    }
}
