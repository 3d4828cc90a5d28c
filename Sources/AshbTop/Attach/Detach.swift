import CAttach
import Foundation
import TextSafety

/// How a run outlives its terminal.
///
/// A live dashboard run is the same process from start to end; `d` only changes who its parent is. The
/// command the shell waits for (the foreground half) starts the real run as its child in a new session,
/// hands it the terminal's descriptors, forwards the terminal's signals to it (Ctrl-C, SIGTERM, SIGHUP,
/// SIGWINCH) and waits. On `d` the run closes the screen, points its standard streams at `RUN/ashb-top.log`
/// and `/dev/null`, and tells the foreground half, which prints where the run is and exits: the shell
/// gets its terminal back, and the run, already a session leader without a controlling terminal, is
/// re-parented to init as a daemon — with its trials, worker threads and child processes untouched.
/// (A hand-over to a new process would have to rebuild the run from its log and checkpoints and
/// restart every trial in flight; `fork` cannot take the tuner's threads along.)
///
/// `run --detach` starts the same kind of daemon from the outset: standard input from `/dev/null`,
/// standard output and error into `RUN/ashb-top.log`, a new session; the foreground command waits until
/// the run is up (its control socket listening), prints where it is and exits 0.
enum Detach {
    /// Names the descriptor on which a session child tells its foreground half that it detached.
    static let sessionVariable = "ASHB_TOP_SESSION_FD"
    /// The foreground half's pid, so the child can tell whether it is still there.
    static let parentVariable = "ASHB_TOP_SESSION_PARENT"
    /// Names the descriptor on which a daemon says it is up.
    static let readyVariable = "ASHB_TOP_READY_FD"

    // MARK: - The dashboard run in its own session

    /// In the foreground half of an interactive run: starts this same command again in a new session and
    /// forwards to it until it exits (then exits with its status) or detaches (then prints where the run
    /// went and exits 0). Returns only in the child, or where there is nothing to do (not a terminal,
    /// already the child, or the child could not be started: then the run simply stays in this process).
    static func runInOwnSession() {
        let env = ProcessInfo.processInfo.environment
        guard env[sessionVariable] == nil, env[readyVariable] == nil, isatty(0) == 1, isatty(1) == 1 else { return }
        var p: [Int32] = [0, 0]
        guard ashb_pipe(&p, 0) == 0 else { return }
        var childEnv = env.filter { $0.key != sessionVariable && $0.key != parentVariable }.map {
            "\($0.key)=\($0.value)"
        }
        childEnv.append("\(sessionVariable)=3")
        childEnv.append("\(parentVariable)=\(getpid())")
        let pid = spawn(
            arguments: CommandLine.arguments, environment: childEnv, stdin: 0, stdout: 1, stderr: 2, pass: p[1])
        close(p[1])
        guard pid > 0 else {
            close(p[0])
            return
        }
        var buf = [CChar](repeating: 0, count: 4096)
        var status: Int32 = 0
        let rc = ashb_session_forward(pid, p[0], &buf, buf.count, &status)
        if rc == 1 {
            let line = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let parts = line.split(separator: " ", maxSplits: 1)
            let runPID = parts.first.map(String.init) ?? "?"
            let dir = parts.count > 1 ? Sanitizer.clean(String(parts[1]), maxColumns: 200) : "?"
            // `ls` looks under `runs` unless told: name the runs directory when it is another.
            let root = (dir as NSString).deletingLastPathComponent
            let ls = root == "runs" || root.isEmpty ? "ashb-top ls" : "ashb-top ls --runs-dir \(root)"
            print(
                """
                Detached: the run goes on in the background (pid \(runPID)).
                  ashb-top attach \(dir)    show it again
                  \(ls)    list the runs
                """)
            exit(0)
        }
        exit(rc == 0 ? status : 1)
    }

    /// The descriptor to tell the foreground half on, when this process is a dashboard run's session
    /// child. Call once, early: it also arranges to get SIGHUP when the foreground half dies (a closed
    /// terminal, `kill -9`), and removes the variables so that no child process inherits them.
    static func adoptSession() -> Int32? {
        guard let text = getenv(sessionVariable).map({ String(cString: $0) }), let fd = Int32(text) else { return nil }
        let parent = getenv(parentVariable).flatMap { Int32(String(cString: $0)) }
        unsetenv(sessionVariable)
        unsetenv(parentVariable)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = ashb_set_parent_death_signal(SIGHUP)
        if let parent, getppid() != parent { kill(getpid(), SIGHUP) }  // the foreground half is gone already
        return fd
    }

    /// In the session child, after the screen is closed: standard input from /dev/null, output and error
    /// into `diagnostics`, no signal at the foreground half's death, and the foreground half told (so the
    /// shell gets its terminal back).
    static func detach(sessionFD fd: Int32, runDirectory dir: String, diagnostics: String) {
        redirectStandardStreams(diagnostics: diagnostics)
        _ = ashb_set_parent_death_signal(0)
        signal(SIGHUP, SIG_IGN)
        let line = Array("\(getpid()) \(dir)\n".utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        close(fd)
    }

    // MARK: - The daemon of `run --detach`

    /// Starts this command again as a daemon writing the run in `dir` (`extra` arguments added, `--detach`
    /// taken away), waits until it says it is up, and returns its pid; throws with the end of its
    /// diagnostics when it did not come up.
    static func startDaemon(runDirectory dir: String, extra: [String], diagnostics: String) throws -> Int32 {
        var p: [Int32] = [0, 0]
        guard ashb_pipe(&p, 0) == 0 else { throw CLIError("cannot make a pipe: \(String(cString: strerror(errno)))") }
        defer { close(p[0]) }
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let out = open(diagnostics, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        defer {
            if null >= 0 { close(null) }
            if out >= 0 { close(out) }
        }
        guard null >= 0, out >= 0 else {
            close(p[1])
            throw CLIError(
                "cannot open '\(Sanitizer.clean(diagnostics, maxColumns: 200))': \(String(cString: strerror(errno)))")
        }
        let args = CommandLine.arguments.filter { $0 != "--detach" } + extra
        var env = ProcessInfo.processInfo.environment.filter { $0.key != sessionVariable && $0.key != parentVariable }
            .map { "\($0.key)=\($0.value)" }
        env.append("\(readyVariable)=3")
        let pid = spawn(arguments: args, environment: env, stdin: null, stdout: out, stderr: out, pass: p[1])
        close(p[1])
        guard pid > 0 else {
            throw CLIError("cannot start the run in the background: \(String(cString: strerror(errno)))")
        }
        // Wait for "ready" (or the pipe's end: the daemon failed).
        var got: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            var pf = pollfd(fd: p[0], events: Int16(POLLIN), revents: 0)
            let n = poll(&pf, 1, 60_000)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            let r = read(p[0], &byte, 1)
            if r < 0, errno == EINTR { continue }
            if r <= 0 || byte == 0x0A { break }
            if got.count < 256 { got.append(byte) }
        }
        if String(decoding: got, as: UTF8.self) == "ready" { return pid }
        let tail = (try? String(contentsOfFile: diagnostics, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
        let lines = tail.split(separator: "\n").suffix(5).map { Sanitizer.clean(String($0), maxColumns: 200) }.joined(
            separator: "\n  ")
        throw CLIError(
            "the run did not start in the background (see \(Sanitizer.clean(diagnostics, maxColumns: 200)))"
                + (lines.isEmpty ? "" : ":\n  \(lines)"))
    }

    /// In the daemon: the descriptor to say "ready" on, if this process is one (read once; the variable is
    /// removed so that no child inherits it).
    static func adoptReady() -> Int32? {
        guard let text = getenv(readyVariable).map({ String(cString: $0) }), let fd = Int32(text) else { return nil }
        unsetenv(readyVariable)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        signal(SIGHUP, SIG_IGN)
        return fd
    }

    /// Tells the foreground command that the run is up.
    static func sayReady(_ fd: Int32) {
        let line = Array("ready\n".utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        close(fd)
    }

    /// Points standard input at /dev/null and standard output and error at `diagnostics` (appending).
    static func redirectStandardStreams(diagnostics: String) {
        fflush(nil)
        let null = open("/dev/null", O_RDONLY)
        if null >= 0 {
            dup2(null, 0)
            close(null)
        }
        let out = open(diagnostics, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if out >= 0 {
            dup2(out, 1)
            dup2(out, 2)
            close(out)
        }
    }

    private static func spawn(
        arguments: [String], environment: [String], stdin: Int32, stdout: Int32, stderr: Int32, pass: Int32
    ) -> Int32 {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            for a in argv { free(a) }
            for e in envp { free(e) }
        }
        return ashb_spawn_session("/proc/self/exe", &argv, &envp, stdin, stdout, stderr, pass)
    }
}
