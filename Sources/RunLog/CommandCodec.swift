/// Turns commands into JSON lines and back: what an attached dashboard sends to a run over its control
/// socket. The names pair with the events that answer them (`pause_trial` → `paused`, `kill_trial` →
/// `killed`, `set_workers` → `workers`, `stop_run` → `run_ended`), so the socket and the log speak one
/// vocabulary. The format is documented in README.md ("The wire format").
public enum CommandCodec {
    /// The longest reason a `stop_run` may carry, in characters; longer ones are refused.
    public static let maxReasonLength = 200

    /// Appends `command` as one JSON object (no newline) to `w`.
    public static func encode(_ command: Command, into w: inout JSONWriter) {
        w.beginObject()
        w.member("command", name(command))
        switch command {
        case .pauseTrial(let t), .resumeTrial(let t), .killTrial(let t): w.member("trial", t)
        case .pauseRun, .resumeRun: break
        case .setWorkers(let n): w.member("count", n)
        case .stopRun(let reason): w.member("reason", reason.text)
        }
        w.endObject()
    }

    /// The `command` member of a command's line.
    static func name(_ command: Command) -> String {
        switch command {
        case .pauseTrial: return "pause_trial"
        case .resumeTrial: return "resume_trial"
        case .killTrial: return "kill_trial"
        case .pauseRun: return "pause_run"
        case .resumeRun: return "resume_run"
        case .setWorkers: return "set_workers"
        case .stopRun: return "stop_run"
        }
    }

    /// Reads a command from a parsed line. Untrusted input: a trial id must be 0 or more, a worker count
    /// 1…512, a reason at most `maxReasonLength` characters without control characters.
    public static func decode(_ v: JSONValue) throws(SchemaError) -> Command {
        guard case .object = v else { throw SchemaError("a command must be a JSON object") }
        let o = Fields(v)
        let name = try o.string("command")
        func trial() throws(SchemaError) -> Int {
            let t = try o.int("trial")
            guard t >= 0 else { throw SchemaError("'trial' must be 0 or more") }
            return t
        }
        switch name {
        case "pause_trial": return .pauseTrial(try trial())
        case "resume_trial": return .resumeTrial(try trial())
        case "kill_trial": return .killTrial(try trial())
        case "pause_run": return .pauseRun
        case "resume_run": return .resumeRun
        case "set_workers":
            let n = try o.int("count")
            guard (1...512).contains(n) else { throw SchemaError("'count' must be between 1 and 512") }
            return .setWorkers(n)
        case "stop_run":
            let reason = try o.string("reason")
            guard reason.count <= maxReasonLength else {
                throw SchemaError("'reason' is longer than \(maxReasonLength) characters")
            }
            guard !reason.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
            else { throw SchemaError("'reason' holds control characters") }
            return .stopRun(reason: reason.isEmpty ? .userQuit : EndReason(text: reason))
        default:
            throw SchemaError("unknown command '\(String(name.unicodeScalars.filter { $0.value >= 0x20 }.prefix(40)))'")
        }
    }
}
