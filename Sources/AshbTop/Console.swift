import Foundation
import TextSafety

/// Where everything the command line prints goes: each line passes the one sanitizer on its way out,
/// so no text from a spec, a log or a child can drive the terminal, whatever path built the line.
enum Console {
    /// The widest line printed (longer lines end with an ellipsis).
    static let maxColumns = 1 << 16

    /// `text` with every line cleaned; the line breaks themselves are kept.
    static func safe(_ text: String, maxColumns: Int = Console.maxColumns) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { Sanitizer.clean(String($0), maxColumns: maxColumns) }.joined(separator: "\n")
    }

    /// Writes `text` (lines ending in newlines) to standard output.
    static func out(_ text: String) { FileHandle.standardOutput.write(Data(safe(text).utf8)) }

    /// Writes `text` (lines ending in newlines) to standard error.
    static func err(_ text: String) { FileHandle.standardError.write(Data(safe(text).utf8)) }
}

/// A name made safe for a directory: letters, digits, `-`, `_` and `.`; others become `-`.
func fileSafe(_ text: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
    var s = String(text.prefix(60).map { allowed.contains($0) ? $0 : "-" })
    while s.hasPrefix(".") { s.removeFirst() }
    return s.isEmpty ? "run" : s
}
