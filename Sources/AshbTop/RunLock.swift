import Foundation

/// A run directory's lock: the file `lock` holding the pid of the process writing the run's log.
/// A second writer (a `resume` while the run is live) is refused; a lock whose process is gone is
/// taken over.
final class RunLock {
    let path: String
    private var held = false

    /// Takes the lock of `directory`, or throws naming the live holder.
    init(directory: String) throws {
        path = directory + "/lock"
        for _ in 0..<2 {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                let text = "\(getpid())\n"
                _ = text.withCString { write(fd, $0, strlen($0)) }
                close(fd)
                held = true
                return
            }
            guard errno == EEXIST else {
                throw CLIError("cannot create the lock '\(path)': \(String(cString: strerror(errno)))")
            }
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if let pid = holder, pid > 0, Self.isAlive(pid) {
                throw CLIError("the run is being written by a live process (pid \(pid), see \(path)); not resuming it")
            }
            unlink(path)  // the holder is gone: a stale lock
        }
        throw CLIError("cannot take the lock '\(path)'")
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

    /// Releases the lock (also on deinit).
    func release() {
        if held { unlink(path) }
        held = false
    }

    deinit { release() }
}
