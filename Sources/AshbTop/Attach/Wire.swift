import Foundation
import RunLog

/// The control socket's wire format, version 1 (README.md, "The wire format"): JSON lines. The client
/// opens with a hello, then sends commands (`CommandCodec`); the server answers with its hello, then every
/// event of the run from the first, as the log writes them (`EventCodec`), then live ones as they happen.
/// A problem is one `{"error": …}` line, after which the server closes that connection.
enum Wire {
    /// The version this program speaks; a hello with another version is refused.
    static let version = 1
    /// The longest line a client may send, in bytes (its newline excluded).
    static let maxClientLine = 4096
    /// Commands a client may send per second on average, and in one burst.
    static let commandsPerSecond = 50.0
    static let commandBurst = 100.0
    /// Viewers connected at once (including those that have not said hello yet).
    static let maxViewers = 32
    /// Seconds a new connection has to say hello.
    static let helloSeconds = 5.0
    /// Bytes of events that may wait for a slow viewer before it is disconnected.
    static let maxBacklogBytes = 64 << 20

    /// The client's first line: the version and the program.
    static func clientHello() -> [UInt8] { hello { _ in } }

    /// The server's first line: the version, the program, the run's process and directory, and (`t`, when
    /// known) the run's time now, so a viewer's clock runs with the run's even when no event comes (an idle
    /// run). `t` was added within version 1: a client that does not know it ignores it (a client reads the
    /// members it knows), and a client that gets no `t` (an older run) counts time from the events.
    static func serverHello(pid: Int32, run: String, time: Double? = nil) -> [UInt8] {
        hello { w in
            w.member("pid", Int(pid))
            w.member("run", run)
            if let time, time.isFinite, time >= 0 { w.member("t", (time * 1e6).rounded() / 1e6) }
        }
    }

    /// A hello line: the version and the program, then what `more` writes.
    private static func hello(_ more: (inout JSONWriter) -> Void) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.member("ashb_attach", version)
        w.member("program", programVersion)
        more(&w)
        w.endObject()
        w.appendNewline()
        return w.bytes
    }

    /// An error line.
    static func error(_ message: String) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.member("error", message)
        w.endObject()
        w.appendNewline()
        return w.bytes
    }

    /// Checks a hello line's version; returns why it is refused, or nil.
    static func checkHello(_ v: JSONValue) -> String? {
        guard case .number(_, let n?)? = v["ashb_attach"] else {
            return "the first line must be a hello: {\"ashb_attach\":\(version)}"
        }
        return n == version ? nil : "wire format version \(n) is not spoken here (this run speaks \(version))"
    }

    /// Parses one line of bytes.
    static func parse(_ line: ArraySlice<UInt8>) throws(JSONParseError) -> JSONValue {
        try line.withUnsafeBufferPointer { buf throws(JSONParseError) in try JSONParser.parse(buf) }
    }
}
