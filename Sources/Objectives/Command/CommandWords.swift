/// Splits a command line into words the way a POSIX shell would for simple commands, without
/// running a shell: no variables, globs, redirections or pipes.
///
/// Rules: unquoted blanks (space, tab, newline) separate words; a backslash outside quotes takes
/// the next character literally; single quotes take everything up to the next single quote
/// literally; inside double quotes a backslash escapes only `"`, `\`, `$` and `` ` `` (otherwise it
/// stays); `''` and `""` make an empty word. Unquoted `| & ; < > ( ) $` and `` ` `` are refused (they
/// would mean something to a shell): quote them, or run `sh -c '…'` explicitly. Other characters
/// (`*`, `?`, `~`, `{`, …) are taken literally.
enum CommandWords {
    /// The words of `line`; throws a message (without the option's name) when it cannot be split.
    static func split(_ line: String) throws(CommandSyntaxError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = Array(line).makeIterator()
        while let c = iterator.next() {
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
            case "\\":
                guard let next = iterator.next() else { throw CommandSyntaxError("it ends with a lone backslash") }
                current.append(next)
                inWord = true
            case "'", "\"":
                // Up to the matching quote; inside double quotes a backslash may escape.
                inWord = true
                var closed = false
                while let q = iterator.next() {
                    if q == c {
                        closed = true
                        break
                    }
                    if c == "\"", q == "\\" {
                        guard let e = iterator.next() else { break }
                        if !["\"", "\\", "$", "`"].contains(e) { current.append("\\") }
                        current.append(e)
                    } else {
                        current.append(q)
                    }
                }
                if !closed { throw CommandSyntaxError("a \(c == "'" ? "single" : "double") quote is not closed") }
            case "|", "&", ";", "<", ">", "(", ")", "$", "`":
                throw CommandSyntaxError(
                    "unquoted '\(c)' is shell syntax, which is not supported (quote it, or run sh -c '…')")
            default:
                current.append(c)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
