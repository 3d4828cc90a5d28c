import Foundation
import RunLog
import TextSafety

/// What is known about one run directory without touching the run: whether its process lives, how it
/// ended, and a few figures folded from its log.
struct RunStatus {
    /// Where a run stands.
    enum State: Equatable {
        /// A live process writes the run (its pid, from the run's lock).
        case running(pid: Int32)
        /// The log records the run's end, with its reason.
        case ended(reason: String)
        /// No live process and no recorded end: it died (crash, `kill -9`, power loss); `resume` continues
        /// it. `staleSocket`: its control socket is still there, with nobody listening.
        case died(staleSocket: Bool)
        /// Not a readable run log.
        case unreadable(String)
    }

    var path: String
    var state: State
    /// When the run started (from the directory's name), if known.
    var started: Date?
    /// The time of the last event, in run seconds.
    var elapsed: Double = 0
    var trials = 0
    var best: Double?
    var metric: String?
    /// Bytes on disk under the run directory.
    var bytes: Int64 = 0

    /// The directory's name.
    var name: String { (path as NSString).lastPathComponent }

    /// Looks at `path` (a run directory).
    static func inspect(_ path: String) -> RunStatus {
        var s = RunStatus(path: path, state: .unreadable("no events.jsonl"))
        s.started = startTime(fromName: (path as NSString).lastPathComponent)
        s.bytes = diskUsage(path)
        var endReason: String?
        do {
            let reader = try LogReader(path: path + "/events.jsonl", lenient: true)
            var state = RunState()
            while let e = try reader.next(follow: true) { state.apply(e) }
            s.trials = state.trials.count
            s.best = state.best?.value
            s.metric = state.info?.metric
            s.elapsed = state.time
            endReason = state.endReason?.text
        } catch {
            s.state = .unreadable("\(error)")
            if let pid = livePID(path) { s.state = .running(pid: pid) }
            return s
        }
        let socket = ControlSocket.path(of: path)
        var socketState = "none"
        if access(socket, F_OK) == 0 {
            do {
                let fd = try ControlSocket.connect(socket)
                close(fd)
                socketState = "listening"
            } catch {
                socketState = error.code == ECONNREFUSED ? "stale" : "unknown"
            }
        }
        if socketState != "stale", let pid = livePID(path) {
            s.state = .running(pid: pid)
        } else if let endReason {
            s.state = .ended(reason: endReason)
        } else {
            s.state = .died(staleSocket: socketState == "stale")
        }
        return s
    }

    /// The run directories under `root`, newest first (by start time, then name).
    static func list(root: String) throws -> [RunStatus] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("'\(Sanitizer.clean(root, maxColumns: 200))': no such runs directory")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let runs = names.filter { LogSegments.exists(live: root + "/" + $0 + "/events.jsonl") }
            .map { inspect(root + "/" + $0) }
        return runs.sorted {
            let a = $0.started ?? .distantPast
            let b = $1.started ?? .distantPast
            return a != b ? a > b : $0.name > $1.name
        }
    }

    /// The pid in the run's lock, if that process is alive.
    static func livePID(_ path: String) -> Int32? {
        guard let text = try? String(contentsOfFile: path + "/lock", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return nil }
        return isAlive(pid) ? pid : nil
    }

    /// Whether process `pid` exists and is not a zombie (a run daemon that died is one until whoever
    /// adopted it reaps it, and some containers' init never does).
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state != "Z" && state != "X"
    }

    /// The start time in a run directory's name (`NAME-yyyyMMdd-HHmmss`, maybe `-N`), in UTC.
    static func startTime(fromName name: String) -> Date? {
        var parts = name.split(separator: "-", omittingEmptySubsequences: false)
        if let last = parts.last, last.count < 4, Int(last) != nil { parts.removeLast() }
        guard parts.count >= 3 else { return nil }
        let stamp = parts[parts.count - 2] + "-" + parts[parts.count - 1]
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return f.date(from: String(stamp))
    }

    /// Bytes of the regular files under `path` (links not followed).
    static func diskUsage(_ path: String) -> Int64 {
        var total: Int64 = 0
        guard let e = FileManager.default.enumerator(atPath: path) else { return 0 }
        while let rel = e.nextObject() as? String {
            var st = stat()
            if lstat(path + "/" + rel, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { total += Int64(st.st_size) }
        }
        return total
    }
}
