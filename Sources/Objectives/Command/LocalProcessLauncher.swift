import CSpawn
import Foundation

/// Starts trials' programs on this machine, each in a process group of its own led by a small
/// supervisor (see `ashb_spawn_supervised`): signals go to the whole group, and the group dies with
/// ashb-top however ashb-top dies (the supervisor watches a pipe that only ashb-top holds open).
public struct LocalProcessLauncher: ProcessLauncher {
    /// Seconds to wait for a group's leader to be reaped after SIGKILL before giving up on it.
    public var reapSeconds: Double

    public init(reapSeconds: Double = 2) {
        self.reapSeconds = reapSeconds
    }

    public func launch(_ request: LaunchRequest) throws(ObjectiveError) -> any LaunchedProcess {
        let environment = request.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try LocalProcess(
            argv: request.argv, environment: environment, workingDirectory: request.workingDirectory,
            reapSeconds: reapSeconds)
    }
}

/// A program running on this machine in its own process group (the group's id is its supervisor's
/// pid), whose standard output and error are pipes read by its owner.
///
/// Every signal goes to the whole group, and only while the leader has not been reaped, so a recycled
/// pid is never signalled. When the leader exits, the group's stragglers (e.g. background processes
/// the program started) are killed before the leader is reaped. Thread-safe.
final class LocalProcess: LaunchedProcess, @unchecked Sendable {
    /// The process group's id (its leader's pid).
    let pid: pid_t
    let stdoutFD: Int32
    let stderrFD: Int32
    private let reapSeconds: Double
    private let lock = NSLock()
    /// How the leader ended; nil until reaped.
    private var reaped: ProcessExit?

    /// Spawns `argv` with `environment` (a full environment, `NAME=value` strings).
    init(argv: [String], environment: [String], workingDirectory: String?, reapSeconds: Double)
        throws(ObjectiveError)
    {
        var out: Int32 = -1
        var err: Int32 = -1
        let pid = withCStrings(argv) { cArgv in
            withCStrings(environment) { cEnv in
                if let workingDirectory {
                    return ashb_spawn_supervised(cArgv, cEnv, workingDirectory, &out, &err)
                }
                return ashb_spawn_supervised(cArgv, cEnv, nil, &out, &err)
            }
        }
        guard pid > 0 else {
            let reason = String(cString: strerror(errno))
            throw ObjectiveError("command: cannot start \(argv.first ?? ""): \(reason)")
        }
        self.pid = pid
        self.reapSeconds = reapSeconds
        stdoutFD = out
        stderrFD = err
    }

    deinit {
        close(stdoutFD)
        close(stderrFD)
    }

    var label: String { "pid \(pid)" }

    /// Sends `signal` to the whole group, unless the leader has been reaped.
    func signalGroup(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if reaped == nil { _ = kill(-pid, signal) }
    }

    func pause() { signalGroup(SIGSTOP) }
    func resume() { signalGroup(SIGCONT) }

    func requestEnd() {
        signalGroup(SIGTERM)
        signalGroup(SIGCONT)
    }

    func exitStatus() -> ProcessExit? {
        lock.lock()
        defer { lock.unlock() }
        if let reaped { return reaped }
        guard ashb_has_exited(pid) == 1 else { return nil }
        _ = kill(-pid, SIGKILL)
        var status: Int32 = 0
        if ashb_try_reap(pid, &status) == 1 { reaped = status >= 0 ? .exited(status) : .killed(signal: -status) }
        return reaped
    }

    @discardableResult
    func end(grace: Double) -> ProcessExit {
        requestEnd()
        let start = DispatchTime.now().uptimeNanoseconds
        let killAt = start + UInt64(max(0, grace) * 1e9)
        var giveUpAt = UInt64.max
        var continuedAt = start
        while true {
            if let status = exitStatus() { return status }
            let now = DispatchTime.now().uptimeNanoseconds
            if now &- continuedAt > 100_000_000 {
                // A stop that raced the SIGTERM (e.g. a pause between steps) must not hold it up.
                signalGroup(SIGCONT)
                continuedAt = now
            }
            if giveUpAt == .max, now >= killAt {
                signalGroup(SIGKILL)
                giveUpAt = now + UInt64(max(0.1, reapSeconds) * 1e9)
            } else if now >= giveUpAt {
                return .unconfirmed("still there \(reapSeconds) s after SIGKILL")
            }
            usleep(5_000)
        }
    }
}

/// Calls `body` with a NULL-terminated C array of copies of `strings`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
