import Foundation
import RunLog
import Testing

/// The real binary on the live dashboard in tmux: a user's session, checked on screen and in the log.
@Suite(.serialized) struct DashboardEndToEndTests {
    /// Slow steps so that trials are still running while keys arrive.
    let spec = """
        name: e2e
        objective: {name: branin, cost: 0.15, sleep: true}
        scheduler: {variant: promotion, max_resource: 27}
        workers: 2
        budget: {trials: 500}
        seed: 3
        """

    /// The trial id on the selected row of the trials pane, and its status word.
    func selected(_ screen: String) -> (id: Int, status: String)? {
        guard
            let m = firstMatch(
                #"^│>\s+(\d+) \S (running|queued|waiting|paused|completed|stopped|killed|failed)"#, in: screen),
            let id = Int(m[0])
        else { return nil }
        return (id, m[1])
    }

    @Test func pauseResumeKillPauseRunResizeAndQuit() throws {
        let root = newDirectory()
        let specPath = temporaryFile("e2e.yaml", spec)
        let binary = try ashbTopBinary()
        let session = try TmuxSession(
            command:
                "echo; '\(binary)' run '\(specPath)' --runs-dir '\(root)'; echo; stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo; echo EXIT=$?"
        )
        // The first frame has a running trial selected, so p acts on something at once.
        let first = try session.waitFor("a selected running trial") { selected($0)?.status == "running" }
        let trial = try #require(selected(first)).id
        let log = try onlyRun(in: root) + "/events.jsonl"

        // Pause it: the screen says so and the log records the user's pause.
        try session.send("p")
        try session.waitFor("trial \(trial) paused") { $0.contains("trial \(trial) paused by user") }
        try session.waitForFile(log, "the pause") { $0.contains(#""type":"paused","trial":\#(trial),"by":"user""#) }
        // Resume it.
        try session.send("p")
        try session.waitForFile(log, "the resume") { $0.contains(#""type":"resumed","trial":\#(trial),"by":"user""#) }

        // Kill another trial, after a confirmation that names it.
        // Move down until another trial is selected (rows re-sort as trials change status).
        var movedTo: Int?
        for _ in 0..<20 where movedTo == nil {
            try session.send("j")
            if let moved = try? session.waitFor(
                "the selection to move", seconds: 1, { selected($0).map { $0.id != trial } ?? false })
            {
                movedTo = selected(moved)?.id
            }
        }
        _ = try #require(movedTo)
        try session.send("K")
        let confirm = try session.waitFor("the kill confirmation") { $0.contains("Kill trial ") && $0.contains("y/N") }
        // The confirmation names the trial that was selected when K was pressed.
        let named = try #require(firstMatch(#"Kill trial (\d+) \("#, in: confirm).flatMap { Int($0[0]) })
        let victim = named
        try session.send("y")
        try session.waitForFile(log, "the kill") { $0.contains(#""type":"killed","trial":\#(victim)}"#) }
        try session.waitFor("the kill on screen") { $0.contains("trial \(victim) killed") }

        // Pause the whole run: a loud badge.
        try session.send("P")
        try session.waitFor("the PAUSED badge") { $0.contains("PAUSED") }
        try session.waitForFile(log, "the run pause") { $0.contains(#""type":"run_paused","by":"user""#) }
        try session.send("P")
        try session.waitFor("the badge to go") { !$0.contains("PAUSED") }

        // Resize: the dashboard redraws for the new size.
        try session.resize(width: 80, height: 24)
        let small = try session.waitFor("a redraw at 80x24") { s in
            let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
            return s.contains("ashb-top") && lines.allSatisfy { $0.count <= 80 } && lines.count <= 25
                && s.contains("Rungs")
        }
        #expect(small.contains("workers"))

        // Quit: it asks first, then stops the run and restores the terminal.
        try session.send("q")
        try session.waitFor("the quit confirmation") { $0.contains("Quit and stop the run? y/N") }
        try session.send("y")
        let deadline = Date().addingTimeInterval(30)
        while !session.exited && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(session.exited)
        let after = session.history()
        #expect(after.contains("Ended          user quit"))
        #expect(after.contains("EXIT=0"))
        // Back in canonical mode with echo.
        #expect(after.contains("\nicanon\n") && after.contains("\necho\n"))
        let events = try LogReader(path: log).readAll()
        guard case .runEnded("user quit")? = events.last?.body else {
            Issue.record("the log does not end with the user's quit")
            return
        }
    }

    @Test func unusableTerminalGetsAClearMessageAndNothingHalfDrawn() throws {
        let root = newDirectory()
        let specPath = temporaryFile("e2e.yaml", spec)
        let binary = try ashbTopBinary()
        let session = try TmuxSession(
            command: "echo; TERM=dumb '\(binary)' run '\(specPath)' --runs-dir '\(root)'; echo EXIT=$?")
        let screen = try session.waitFor("the exit") { $0.contains("EXIT=") }
        #expect(screen.contains("--headless"))
        #expect(!screen.contains("EXIT=0"))
        #expect(!screen.contains("Rungs"))
    }

    @Test func ctrlCStopsTheRunAndRestoresTheTerminal() throws {
        let root = newDirectory()
        let specPath = temporaryFile("e2e.yaml", spec)
        let binary = try ashbTopBinary()
        let session = try TmuxSession(
            command:
                "trap 'echo' INT; echo; '\(binary)' run '\(specPath)' --runs-dir '\(root)'; echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo"
        )
        try session.waitFor("the first frame") { selected($0)?.status == "running" }
        try session.send("C-c")
        let deadline = Date().addingTimeInterval(30)
        while !session.exited && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let after = session.history()
        #expect(after.contains("EXIT=130"))
        #expect(after.contains("Ended          interrupted (SIGINT)"))
        #expect(after.contains("\nicanon\n") && after.contains("\necho\n"))
        let events = try LogReader(path: try onlyRun(in: root) + "/events.jsonl").readAll()
        guard case .runEnded("interrupted (SIGINT)")? = events.last?.body else {
            Issue.record("the log does not end with the interruption")
            return
        }
    }

    @Test func aSecondCtrlCWhileTheRunStopsExitsAtOnce() throws {
        // Steps of 30 s: after the first Ctrl-C the dashboard closes and the run waits for its steps.
        let root = newDirectory()
        let specPath = temporaryFile(
            "slow.yaml",
            """
            objective: {name: branin, cost: 30, sleep: true}
            workers: 2
            """)
        let binary = try ashbTopBinary()
        let session = try TmuxSession(
            command: "trap 'echo' INT; echo; '\(binary)' run '\(specPath)' --runs-dir '\(root)'; echo EXIT=$?")
        try session.waitFor("the first frame") { selected($0)?.status == "running" }
        try session.send("C-c")
        let deadline = Date().addingTimeInterval(30)
        // The dashboard is gone (the alternate screen is off) while the run waits for its steps.
        while Date() < deadline,
            (try? session.tmux(["display-message", "-p", "-t", session.name, "#{alternate_on}"]))?.hasPrefix("0")
                != true
        {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(!session.exited)
        try session.send("C-c")
        while !session.exited && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let after = session.history()
        #expect(after.contains("EXIT=130"))
        #expect(after.contains("second signal; exiting now"))
        let reader = try LogReader(path: try onlyRun(in: root) + "/events.jsonl")
        let events = try reader.readAll()
        #expect(reader.warnings.isEmpty)
        #expect(!events.contains { if case .runEnded = $0.body { true } else { false } })
    }
}
