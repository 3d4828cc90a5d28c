import Foundation
import TextSafety

#if canImport(Glibc)
    import Glibc
#endif

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
    static func out(_ text: String) { write(safe(text), to: STDOUT_FILENO) }

    /// Writes `text` (lines ending in newlines) to standard error.
    static func err(_ text: String) { write(safe(text), to: STDERR_FILENO) }

    /// Writes all of `text` to descriptor `fd`; false when the descriptor refuses it (a closed pipe:
    /// EPIPE, once SIGPIPE is caught). Never traps, unlike `FileHandle.write`, which a closed pipe
    /// turns into a crash.
    @discardableResult
    static func write(_ text: String, to fd: Int32) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n > 0 {
                    done += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
    }
}

/// A name made safe for a directory: letters, digits, `-`, `_` and `.`; others become `-`.
func fileSafe(_ text: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
    var s = String(text.prefix(60).map { allowed.contains($0) ? $0 : "-" })
    while s.hasPrefix(".") { s.removeFirst() }
    return s.isEmpty ? "run" : s
}
