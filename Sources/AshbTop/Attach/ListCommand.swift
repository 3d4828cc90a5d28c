import ArgumentParser
import Foundation
import RunLog
import TextSafety

/// `ashb-top ls`: the runs under a runs directory, newest first, and where each stands.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the runs under the runs directory, newest first: running, ended, or died (resumable).",
        discussion: """
            A run is running while the process in its lock lives (and its control socket answers); ended when \
            its log records the end (with the reason); died when neither holds: its process ended without \
            recording an end (a crash, kill -9), and `ashb-top resume RUN` continues it. A socket left by a \
            dead process is shown as such.
            """)

    @Option(help: "Directory that holds run directories.")
    var runsDir = "runs"

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    func run() throws { try reportingErrors(execute) }

    private func execute() throws {
        let runs = try RunStatus.list(root: runsDir)
        if json {
            print(Self.json(runs))
        } else {
            print(Self.table(runs), terminator: "")
        }
    }

    /// The table `ls` prints.
    static func table(_ runs: [RunStatus]) -> String {
        guard !runs.isEmpty else { return "no runs\n" }
        var rows = [["RUN", "STATE", "STARTED (UTC)", "ELAPSED", "TRIALS", "BEST", "SIZE"]]
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        for r in runs {
            rows.append([
                Sanitizer.clean(r.name, maxColumns: 48), stateText(r.state),
                r.started.map { f.string(from: $0) } ?? "-",
                duration(r.elapsed), String(r.trials), r.best.map { formatValue($0) } ?? "-", size(r.bytes),
            ])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = ""
        for row in rows {
            let cells = row.enumerated().map { c, text in
                c == row.count - 1 ? text : text.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }
            out += cells.joined(separator: "  ") + "\n"
        }
        return out
    }

    /// A state as the table says it.
    static func stateText(_ s: RunStatus.State) -> String {
        switch s {
        case .running(let pid): return "running (pid \(pid))"
        case .ended(let reason): return "ended: \(Sanitizer.clean(reason, maxColumns: 40))"
        case .died(let stale): return stale ? "died (stale socket): resumable" : "died: resumable"
        case .unreadable(let why): return "unreadable: \(Sanitizer.clean(why, maxColumns: 60))"
        }
    }

    /// The runs as a JSON array, one object per run.
    static func json(_ runs: [RunStatus]) -> String {
        let f = ISO8601DateFormatter()
        return jsonArrayText(runs) { w, r in
            w.member("run", r.path)
            w.member("name", r.name)
            w.key("state")
            switch r.state {
            case .running(let pid):
                w.string("running")
                w.member("pid", Int(pid))
            case .ended(let reason):
                w.string("ended")
                w.member("reason", reason)
            case .died(let stale):
                w.string("died")
                w.key("resumable")
                w.bool(true)
                w.key("stale_socket")
                w.bool(stale)
            case .unreadable(let why):
                w.string("unreadable")
                w.member("error", why)
            }
            w.key("started")
            if let s = r.started { w.string(f.string(from: s)) } else { w.null() }
            w.member("elapsed_seconds", r.elapsed)
            w.member("trials", r.trials)
            w.member("metric", r.metric)
            w.member("best", r.best)
            w.member("bytes", Int(r.bytes))
        }
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded(.down))
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", t / 60 % 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return String(format: "%.1fs", s)
    }

    static func size(_ b: Int64) -> String {
        if b >= 1 << 30 { return String(format: "%.1f GiB", Double(b) / Double(1 << 30)) }
        if b >= 1 << 20 { return String(format: "%.1f MiB", Double(b) / Double(1 << 20)) }
        if b >= 1 << 10 { return String(format: "%.1f KiB", Double(b) / Double(1 << 10)) }
        return "\(b) B"
    }

    static func formatValue(_ v: Double) -> String {
        v.isFinite ? String(format: "%.6g", v) : "\(v)"
    }
}
