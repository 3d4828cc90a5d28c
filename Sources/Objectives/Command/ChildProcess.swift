import CSpawn
import Foundation

/// A child process spawned in its own process group (the group's id is the child's pid), whose
/// standard output and error are pipes read by its owner.
///
/// Every signal goes to the whole group, and only while the leader has not been reaped, so a
/// recycled pid is never signalled. When the leader exits, the group's stragglers (e.g. background
/// processes it started) are killed before the leader is reaped. Thread-safe.
final class ChildProcess: @unchecked Sendable {
    /// The leader's pid, which is also the group's id.
    let pid: pid_t
    /// The read end of the child's standard output.
    let stdoutFD: Int32
    /// The read end of the child's standard error.
    let stderrFD: Int32
    private let lock = NSLock()
    /// The leader's exit code (0...255), or minus the signal that killed it; nil until reaped.
    private var reaped: Int32?

    /// Spawns `argv` with `environment` (a full environment, `NAME=value` strings).
    init(argv: [String], environment: [String]) throws(ObjectiveError) {
        var out: Int32 = -1
        var err: Int32 = -1
        let pid = withCStrings(argv) { cArgv in
            withCStrings(environment) { cEnv in ashb_spawn_piped(cArgv, cEnv, &out, &err) }
        }
        guard pid > 0 else {
            let reason = String(cString: strerror(errno))
            throw ObjectiveError("command: cannot start \(argv.first ?? ""): \(reason)")
        }
        self.pid = pid
        stdoutFD = out
        stderrFD = err
    }

    deinit {
        close(stdoutFD)
        close(stderrFD)
    }

    /// Sends `signal` to the whole group, unless the leader has been reaped.
    func signalGroup(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if reaped == nil { _ = kill(-pid, signal) }
    }

    /// The leader's exit status if it has exited (reaping it, after killing what is left of its
    /// group), or nil while it runs.
    func exitStatus() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let reaped { return reaped }
        guard ashb_has_exited(pid) == 1 else { return nil }
        _ = kill(-pid, SIGKILL)
        var status: Int32 = 0
        if ashb_try_reap(pid, &status) == 1 { reaped = status }
        return reaped
    }

    /// Terminates the group: SIGTERM (and SIGCONT, in case it is stopped), then SIGKILL if the
    /// leader has not exited after `grace` seconds; returns the leader's exit status once reaped.
    @discardableResult
    func terminate(grace: Double) -> Int32 {
        signalGroup(SIGTERM)
        signalGroup(SIGCONT)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, grace) * 1e9)
        var killed = false
        while true {
            if let status = exitStatus() { return status }
            if !killed, DispatchTime.now().uptimeNanoseconds >= deadline {
                signalGroup(SIGKILL)
                killed = true
            }
            usleep(5_000)
        }
    }

    /// Describes an exit status for messages.
    static func describe(_ status: Int32) -> String {
        status >= 0 ? "exited with status \(status)" : "was killed by signal \(-status) (\(signalName(-status)))"
    }

    private static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGTERM: return "SIGTERM"
        case SIGKILL: return "SIGKILL"
        case SIGINT: return "SIGINT"
        case SIGSEGV: return "SIGSEGV"
        case SIGABRT: return "SIGABRT"
        case SIGPIPE: return "SIGPIPE"
        case SIGBUS: return "SIGBUS"
        case SIGFPE: return "SIGFPE"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(signal)"
        }
    }
}

/// Calls `body` with a NULL-terminated C array of copies of `strings`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
