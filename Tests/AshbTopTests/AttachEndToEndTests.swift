import Dashboard
import Foundation
import RunLog
import Testing

@testable import AshbTop

/// Runs that outlive their terminal, with the real binary: `run --detach`, `ls`, `attach` in tmux, `d`,
/// two viewers at once, `q`; a viewer or a terminal killed; the run killed.
@Suite(.serialized) struct AttachEndToEndTests {
    /// Slow enough to be running throughout a test; long budgets.
    let spec = """
        name: slow
        objective: {name: hartmann6, cost: 0.05, sleep: true}
        scheduler: {variant: promotion, min_resource: 1, max_resource: 27, eta: 3}
        workers: 2
        budget: {trials: 5000, seconds: 600}
        seed: 5
        """

    /// The trial on the selected row and its status.
    func selected(_ screen: String) -> (id: Int, status: String)? {
        guard
            let m = firstMatch(
                #"^│>\s+(\d+) \S (running|queued|waiting|paused|completed|stopped|killed|failed)"#, in: screen),
            let id = Int(m[0])
        else { return nil }
        return (id, m[1])
    }

    /// The header's trial counts by status and the best trial, e.g. "72: ▶run 3 …wait 69 | ★ 0.025974  trial 4".
    func summaryOf(_ screen: String) -> String? {
        guard let counts = firstMatch(#"trials (\d+: .*?)  workers"#, in: screen)?.first,
            let best = firstMatch(#"(★ \S+\s+trial \d+)"#, in: screen)?.first
        else { return nil }
        return counts + " | " + best
    }

    /// The rungs pane's rows (bracket, rung, resource, reached, promoted, running, waiting, stopped, cutoff).
    func rungRows(_ screen: String) -> [String] {
        screen.split(separator: "\n").compactMap { line in
            firstMatch(#"^│ (\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\S+)"#, in: String(line))?.first
        }
    }

    /// Polls everything the pane printed (scroll-back included, wrapped lines joined) until `match` holds.
    @discardableResult
    func waitForTranscript(_ s: TmuxSession, _ what: String, _ match: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(30)
        var last = ""
        while Date() < deadline {
            last = (try? s.tmux(["capture-pane", "-p", "-J", "-S", "-", "-t", s.name])) ?? ""
            if match(last) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TmuxFailure(message: "timed out waiting for \(what); the pane held:\n\(last)")
    }

    func ls(_ root: String) throws -> String {
        let r = try runAshbTop(["ls", "--runs-dir", root])
        #expect(r.status == 0, "\(r.err)")
        return r.out
    }

    func waitForList(_ root: String, _ what: String, _ match: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(60)
        var last = ""
        while Date() < deadline {
            last = try ls(root)
            if match(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TmuxFailure(message: "timed out waiting for \(what); ls said:\n\(last)")
    }

    @Test func detachListAttachPauseDetachTwoViewersAndQuit() throws {
        let root = newDirectory()
        let specPath = temporaryFile("slow.yaml", spec)
        let binary = try ashbTopBinary()
        let started = try runAshbTop(["run", specPath, "--detach", "--runs-dir", root])
        #expect(started.status == 0, "\(started.err)")
        let pid = try #require(firstMatch(#"Started in the background \(pid (\d+)\)"#, in: started.out)?.first)
        let dir = try onlyRun(in: root)
        defer { if let pid = RunStatus.livePID(dir) { kill(pid, SIGKILL) } }  // a failed test leaves no daemon
        #expect(started.out.contains("ashb-top attach \(dir)"))
        #expect(try ls(root).contains("running (pid \(pid))"))
        let json = try runAshbTop(["ls", "--runs-dir", root, "--json"]).out
        #expect(json.contains(#""state":"running","pid":\#(pid)"#))

        // Attach; pause the selected trial: the log records the user's pause.
        let attach = "'\(binary)' attach --runs-dir '\(root)'; echo EXIT=$?"
        let first = try TmuxSession(command: attach)
        let screen = try first.waitFor("the dashboard with a running or waiting trial selected") {
            ["running", "waiting"].contains(selected($0)?.status ?? "")
        }
        #expect(screen.contains("slow | hartmann6"))
        let trial = try #require(selected(screen)).id
        try first.send("p")
        try first.waitForFile(dir + "/events.jsonl", "the user's pause") {
            $0.contains(#""type":"paused","trial":\#(trial),"by":"user""#)
        }
        try first.waitFor("the pause on screen") { $0.contains("trial \(trial) paused by user") }

        // d detaches: the viewer exits 0, the run goes on.
        try first.send("d")
        try waitForTranscript(first, "the detach message and the exit") {
            $0.contains("Detached; the run goes on (pid \(pid))") && $0.contains("EXIT=0")
        }
        #expect(try ls(root).contains("running (pid \(pid))"))

        // Two viewers at once, from two terminals, show the same trials.
        let one = try TmuxSession(command: "'\(binary)' attach '\(dir)'; echo EXIT=$?")
        let two = try TmuxSession(command: "'\(binary)' attach '\(dir)'; echo EXIT=$?")
        try one.waitFor("viewer one") { $0.contains("trial \(trial) paused by user") }
        try two.waitFor("viewer two") { $0.contains("trial \(trial) paused by user") }
        // Pause the run from viewer two, so that the trials stop changing, then compare.
        try two.send("P")
        try two.waitForFile(dir + "/events.jsonl", "the run's pause") {
            $0.contains(#""type":"run_paused","by":"user""#)
        }
        let deadline = Date().addingTimeInterval(60)
        var same = false
        while !same, Date() < deadline {
            // The same trials by status, the same best, the same rungs (each viewer scrolls its own list).
            let a = one.screen()
            let b = two.screen()
            // Once the run is paused and its last jobs are done, nothing changes any more.
            let settled = [a, b].allSatisfy { $0.contains("PAUSED") && $0.contains("workers 0/") }
            same = settled && summaryOf(a) != nil && summaryOf(a) == summaryOf(b) && rungRows(a) == rungRows(b)
            if !same { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(same, "the two viewers differ:\n\(one.screen())\n\(two.screen())")
        #expect(one.screen().contains("PAUSED"))

        // q asks, says that d detaches, and y stops the run: both viewers see it end.
        try two.send("q")
        try two.waitFor("the quit question") { $0.contains("Quit and stop the run? y/N (d detaches") }
        try two.send("y")
        try waitForTranscript(two, "viewer two's summary") {
            $0.contains("Ended          user quit") && $0.contains("EXIT=0")
        }
        try one.waitFor("viewer one sees the end") { $0.contains("ENDED") }
        _ = try waitForList(root, "the run's end") { $0.contains("ended: user quit") }
        try one.send("q")
        try waitForTranscript(one, "viewer one's exit") { $0.contains("EXIT=0") }
    }

    /// A run that sends no events (one worker in a 60 s step): a viewer attached 4 s in shows the run's
    /// elapsed time from its first frame, not the time since it attached (the run's hello says its clock).
    @Test func aViewerOfAnIdleRunShowsTheRunsElapsedTime() throws {
        let root = newDirectory()
        let specPath = temporaryFile(
            "quiet.yaml",
            """
            name: quiet
            objective: {name: lognormal-sleep, median_seconds: 60, sigma: 0}
            scheduler: {variant: promotion, min_resource: 1, max_resource: 9, eta: 3}
            workers: 1
            budget: {trials: 2, seconds: 600}
            """)
        let binary = try ashbTopBinary()
        let started = try runAshbTop(["run", specPath, "--detach", "--runs-dir", root])
        #expect(started.status == 0, "\(started.err)")
        let startedAt = Date()
        let dir = try onlyRun(in: root)
        defer { if let pid = RunStatus.livePID(dir) { kill(pid, SIGKILL) } }
        // The run's events so far are all from its first moments; let it be quiet for a while.
        Thread.sleep(forTimeInterval: 4)
        let viewer = try TmuxSession(command: "'\(binary)' attach '\(dir)'")
        // The first frame with the run's events folded (before them the header waits for the run).
        let screen = try viewer.waitFor("the run's header") {
            $0.contains("quiet | lognormal-sleep") && firstMatch(#"elapsed (\d+\.\d)s"#, in: $0) != nil
        }
        let elapsed = try #require(Double(firstMatch(#"elapsed (\d+\.\d)s"#, in: screen)?.first ?? ""))
        #expect(elapsed >= 3.5, "the viewer's clock lags the run's (run age \(Date().timeIntervalSince(startedAt)) s)")
        #expect(elapsed <= Date().timeIntervalSince(startedAt) + 0.5)
    }

    @Test func theRunOutlivesItsTerminalAndItsViewersAndDiesResumable() throws {
        let root = newDirectory()
        let specPath = temporaryFile("slow.yaml", spec)
        let binary = try ashbTopBinary()
        // A dashboard run detached with d, then its terminal closed.
        var terminal: TmuxSession? = try TmuxSession(
            command: "'\(binary)' run '\(specPath)' --runs-dir '\(root)'; echo EXIT=$?")
        try terminal!.waitFor("the live dashboard") { selected($0) != nil }
        try terminal!.send("d")
        let detached = try waitForTranscript(terminal!, "the detach message") { $0.contains("EXIT=0") }
        #expect(detached.contains("Detached: the run goes on in the background"))
        let pid = try #require(firstMatch(#"background \(pid (\d+)\)"#, in: detached)?.first)
        terminal = nil  // kills the tmux server: the terminal is gone
        let dir = try onlyRun(in: root)
        defer { if let pid = RunStatus.livePID(dir) { kill(pid, SIGKILL) } }  // a failed test leaves no daemon
        let log = dir + "/events.jsonl"
        func events() -> Int {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        let before = events()
        _ = try waitForList(root, "the run going on") { _ in events() > before + 20 }
        #expect(try ls(root).contains("running (pid \(pid))"))

        // A viewer killed with kill -9 leaves the run running.
        let viewer = try TmuxSession(command: "exec '\(binary)' attach '\(dir)'")
        try viewer.waitFor("the viewer") { selected($0) != nil }
        let viewerPID = try #require(
            Int32(
                viewer.tmux(["display-message", "-p", "-t", viewer.name, "#{pane_pid}"])
                    .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(viewerPID, SIGKILL) == 0)
        let after = events()
        _ = try waitForList(root, "the run going on after the viewer's death") { _ in events() > after + 20 }
        #expect(try ls(root).contains("running (pid \(pid))"))

        // The run killed: ls says it died and can be resumed; attach says how.
        #expect(kill(try #require(Int32(pid)), SIGKILL) == 0)
        // While the killed process is torn down, its socket may still accept or fail otherwise for a
        // moment: wait for the settled state, which must come.
        let listed = try waitForList(root, "the run's death") { $0.contains("died (stale socket)") }
        #expect(listed.contains("died (stale socket): resumable"))
        let json = try runAshbTop(["ls", "--runs-dir", root, "--json"]).out
        #expect(json.contains(#""state":"died","resumable":true,"stale_socket":true"#))
        let refused = try runAshbTop(["attach", dir])
        #expect(refused.status == 1)
        #expect(refused.err.contains("`ashb-top resume \(dir)` continues it"), "\(refused.err)")
        let noLive = try runAshbTop(["attach", "--runs-dir", root])
        #expect(noLive.status == 1)
        #expect(noLive.err.contains("no live run"))

        // Resumed in the background: running again, attachable, and stopped by a viewer's stop_run.
        let resumed = try runAshbTop(["resume", dir, "--detach"])
        #expect(resumed.status == 0, "\(resumed.err)")
        let newPID = try #require(firstMatch(#"Resumed in the background \(pid (\d+)\)"#, in: resumed.out)?.first)
        #expect(try ls(root).contains("running (pid \(newPID))"))
        let client = try ControlClient(socketPath: ControlSocket.path(of: dir))
        let inbox = EventInbox()
        client.start(into: inbox)
        client.send(.stopRun(reason: .userQuit))
        #expect(client.waitUntilClosed(seconds: 60))
        let seen = inbox.drain()
        #expect(seen.first?.seq == 0)
        #expect(seen.contains { if case .runContinued = $0.body { true } else { false } })
        _ = try waitForList(root, "the resumed run's end") { $0.contains("ended: user quit") }
    }

    @Test func hostileClientsDoNotDisturbADetachedRun() throws {
        let root = newDirectory()
        let quick = """
            name: quick
            objective: {name: hartmann6, cost: 0.01, sleep: true}
            scheduler: {variant: stopping, min_resource: 1, max_resource: 9, eta: 3}
            workers: 2
            budget: {trials: 200}
            seed: 2
            """
        let started = try runAshbTop(["run", temporaryFile("quick.yaml", quick), "--detach", "--runs-dir", root])
        #expect(started.status == 0, "\(started.err)")
        let dir = try onlyRun(in: root)
        let path = ControlSocket.path(of: dir)
        let viewer = try ControlClient(socketPath: path)
        let inbox = EventInbox()
        viewer.start(into: inbox)
        // Garbage, a 10 MiB line, and a thousand connections at once.
        let garbage = try ControlSocket.connect(path)
        _ = Array("\u{0}\u{7}not json at all\n".utf8).withUnsafeBytes {
            Glibc.send(garbage, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL))
        }
        let huge = try ControlSocket.connect(path)
        let mib = [UInt8](repeating: 0x41, count: 1 << 20)
        for _ in 0..<10 { _ = mib.withUnsafeBytes { Glibc.send(huge, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) } }
        var fds: [Int32] = []
        for _ in 0..<1000 { if let fd = try? ControlSocket.connect(path) { fds.append(fd) } }
        #expect(fds.count == 1000)
        for fd in fds + [garbage, huge] { close(fd) }
        // The run finishes as it would have, and the viewer saw all of it.
        #expect(viewer.waitUntilClosed(seconds: 120))
        let listed = try waitForList(root, "the run's end") { $0.contains("ended") }
        #expect(listed.contains("ended: finished"))
        let seen = inbox.drain()
        let logged = try LogReader(path: dir + "/events.jsonl").readAll()
        #expect(seen.map(\.seq) == logged.map(\.seq))
        #expect(seen == logged)
        let diagnostics = try String(contentsOfFile: dir + "/ashb-top.log", encoding: .utf8)
        #expect(diagnostics.contains("Ended          finished"))
    }
}
