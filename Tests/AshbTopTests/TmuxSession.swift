import CSpawn
import Foundation
import Testing

/// A private tmux server running one program in a pane of fixed size, for end-to-end tests of the
/// dashboard as a user sees it. `new-session` is spawned with `posix_spawn` (closed descriptors, reset
/// signal mask), since `Foundation.Process` hangs on tmux's daemonised server.
final class TmuxSession {
    let socket = "ashb-test-\(getpid())-\(UUID().uuidString.prefix(8))"
    let name = "S"

    /// Starts `command` (run by `sh -c`) in a new detached session of `width`×`height`.
    init(command: String, width: Int = 120, height: Int = 40) throws {
        // One client call starts the server, keeps panes of exited programs readable, then starts the
        // program: a program that exits at once still leaves its screen behind.
        let args = [
            "tmux", "-L", socket, "-f", "/dev/null", "start-server", ";", "set-option", "-g", "remain-on-exit", "on",
            ";", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", "sh", "-c", command,
        ]
        try spawn(args)
    }

    deinit { try? spawn(["tmux", "-L", socket, "-f", "/dev/null", "kill-server"]) }

    private func spawn(_ args: [String]) throws {
        var cArgs = args.map { strdup($0) }
        cArgs.append(nil)
        defer { for p in cArgs { free(p) } }
        let pid = ashb_spawn(cArgs, nil, 1)
        guard pid > 0 else { throw TmuxFailure(message: "cannot spawn \(args[0]): errno \(errno)") }
        let status = ashb_wait(pid)
        guard status == 0 else { throw TmuxFailure(message: "\(args.joined(separator: " ")) exited \(status)") }
    }

    /// Runs a tmux client command against this server and returns what it printed.
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["tmux", "-L", socket, "-f", "/dev/null"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The visible screen.
    func screen() -> String { (try? tmux(["capture-pane", "-p", "-t", name])) ?? "" }

    /// The screen and its scroll-back (what was printed after the dashboard closed).
    func history() -> String { (try? tmux(["capture-pane", "-p", "-S", "-", "-t", name])) ?? "" }

    /// Types keys (tmux key names: "p", "K", "y", "Escape", "Enter", "Down").
    func send(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Whether the program in the pane has exited.
    var exited: Bool { ((try? tmux(["display-message", "-p", "-t", name, "#{pane_dead}"])) ?? "").hasPrefix("1") }

    /// Polls the screen until `match` holds, every 50 ms, for at most `seconds`. Returns the last screen.
    @discardableResult
    func waitFor(_ what: String, seconds: Double = 30, _ match: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = screen()
            if match(last) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TmuxFailure(message: "timed out waiting for \(what); the screen was:\n\(last)")
    }

    /// Polls until `match` holds for the text of a file (e.g. the run log).
    func waitForFile(_ path: String, _ what: String, seconds: Double = 30, _ match: (String) -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), match(text) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TmuxFailure(message: "timed out waiting for \(what) in \(path); the screen was:\n\(screen())")
    }
}

struct TmuxFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The first match of `pattern` in `text`: the capture groups.
func firstMatch(_ pattern: String, in text: String) -> [String]? {
    guard let re = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]),
        let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
    else { return nil }
    return (1..<m.numberOfRanges).map { i in
        Range(m.range(at: i), in: text).map { String(text[$0]) } ?? ""
    }
}
