import Foundation
import RunLog
import Testing

/// Issue 13 on the real binary in tmux, at 80×24 and 120×40: the best configuration on screen, keys on
/// the workers pane acting on the trial its highlighted row shows (checked in the log), the rungs
/// cursor and the filter language, failure reasons read whole, waiting explained, a run pause that
/// pauses the elapsed time, and "not promoted" once the run has ended.
@Suite(.serialized) struct UsabilityEndToEndTests {
    static let sizes = [(80, 24), (120, 40)]

    /// Slow steps (so trials are still running while keys arrive), some injected failures.
    let spec = """
        name: ux
        objective: {name: branin, cost: 0.3, sleep: true, fail_rate: 0.15}
        scheduler: {variant: promotion, max_resource: 27}
        workers: 3
        budget: {trials: 400, seconds: 600}
        seed: 5
        """

    /// The highlighted row of the workers pane: slot and trial (nil for an idle slot or no highlight).
    func workerRow(_ screen: String) -> (slot: Int, trial: Int)? {
        guard let m = firstMatch(#"^│>\s*(\d+)\s+(\d+)\s+\d+\s+\d+\s+\d+→"#, in: screen),
            let slot = Int(m[0]), let trial = Int(m[1])
        else { return nil }
        return (slot, trial)
    }

    func elapsed(_ screen: String) -> String? { firstMatch(#"elapsed (\S+)"#, in: screen)?[0] }

    @Test(arguments: sizes)
    func aLiveRunAsANewUserTriesIt(size: (Int, Int)) throws {
        let root = newDirectory()
        let specPath = temporaryFile("ux.yaml", spec)
        let binary = try ashbTopBinary()
        let session = try TmuxSession(
            command: "'\(binary)' run '\(specPath)' --runs-dir '\(root)'; echo EXIT=$?", width: size.0,
            height: size.1)
        // 1. The best configuration is on screen (a pane, or one line on a small screen).
        let first = try session.waitFor("a best value", seconds: 60) { $0.contains("★") }
        let log = try onlyRun(in: root) + "/events.jsonl"
        #expect(first.contains("x1") || first.contains("x2"), "the best's hyperparameters:\n\(first)")

        // 2. Workers pane: `p` pauses the trial its highlighted row shows when the key is pressed.
        try session.send("Tab")
        var paused: Int?
        for _ in 0..<30 where paused == nil {
            let before = try session.waitFor("a busy highlighted worker row") { workerRow($0) != nil }
            guard let row = workerRow(before) else { continue }
            try session.send("p")
            let after = session.screen()
            // Only a row that showed the same trial before and after the key is a fair check.
            guard workerRow(after)?.trial == row.trial || after.contains("pause sent for trial \(row.trial)") else {
                try session.send("j")
                continue
            }
            try session.waitFor("the pause feedback") { $0.contains("pause sent for trial \(row.trial)") }
            paused = row.trial
        }
        let trial = try #require(paused)
        try session.waitForFile(log, "the pause of trial \(trial)") {
            $0.contains(#""type":"paused","trial":\#(trial),"by":"user""#)
        }
        // No other trial was paused by the user.
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.components(separatedBy: #""type":"paused""#).count - 1 == 1)

        // Rungs pane: a cursor, and Enter filters the trials list to the rung.
        try session.send("Tab")
        try session.send("j")
        try session.send("Enter")
        let filtered = try session.waitFor("the rung filter") { $0.contains("filter: rung:1") }
        #expect(filtered.contains("[ Trials"))

        // 6. The filter language, and what it cannot read.
        try session.send("/")
        for _ in 0..<12 { try session.send("BSpace") }
        for c in "status:wait" { try session.send(String(c)) }
        try session.send("Enter")
        let waiting = try session.waitFor("only waiting trials") { s in
            s.contains("filter: status:wait") && s.contains("… waiting") && !s.contains("▶ running   ")
        }
        // 3. A waiting trial says what it waits for, with its rank now.
        try session.send("g")
        try session.send("Enter")
        let detail = try session.waitFor("the waiting explained") { $0.contains("waits for") }
        #expect(detail.contains("rank "))
        try session.send("Escape")
        _ = waiting
        try session.send("/")
        for c in ">>" { try session.send(String(c)) }
        try session.waitFor("a filter error") { $0.contains("no status 'wait>>'") }
        try session.send("Escape")

        // 4. A failure's reason, whole: in the detail of a failed trial and in the opened message.
        try session.waitFor("the filter cleared") { !$0.contains("filter: status") }
        try session.waitFor("a failure", seconds: 120) { $0.contains("!fail ") }
        try session.send("/")
        for c in "status:fail" { try session.send(String(c)) }
        try session.send("Enter")
        try session.waitFor("a failed trial") { $0.contains("! failed") }
        try session.send("g")
        try session.send("Enter")
        try session.waitFor("the failure reason") { $0.contains("failed: branin: injected failure at resource") }
        try session.send("Escape")
        try session.send("Escape")  // clears the filter
        // The messages pane (dropped at 80×24, where the detail view above is the way to read it).
        if size.1 >= 30 {
            try session.send("Tab")
            try session.send("Tab")
            try session.send("Tab")  // trials → workers → rungs → messages
            try session.waitFor("the messages pane focused") { $0.contains("[ Messages ]") }
            // The newest failure message: move down to it and open it.
            var opened = false
            for _ in 0..<12 where !opened {
                try session.send("Enter")
                if (try? session.waitFor("an opened message", seconds: 2, { $0.contains("Message  (Esc closes)") }))
                    != nil
                {
                    let screen = session.screen()
                    if screen.contains("injected failure at resource") {
                        opened = true
                    } else {
                        try session.send("Escape")
                        try session.send("j")
                    }
                }
            }
            #expect(opened)
            try session.send("Escape")
        }

        // 7. Pausing the run pauses its elapsed time (and its time budget).
        try session.send("P")
        let pausedScreen = try session.waitFor("the PAUSED badge") { $0.contains("PAUSED") }
        let e1 = elapsed(pausedScreen)
        Thread.sleep(forTimeInterval: 2.5)
        let e2 = elapsed(session.screen())
        #expect(
            e1 != nil && e1 == e2, "elapsed moved while paused: \(String(describing: e1)) → \(String(describing: e2))")
        try session.send("P")
        try session.waitFor("paused time shown") { $0.contains("paused)") || size.0 < 100 }
        try session.waitFor("the badge to go") { !$0.contains("PAUSED") }

        try session.send("q")
        try session.waitFor("the quit confirmation") { $0.contains("Quit and stop the run? y/N") }
        try session.send("y")
        try session.waitFor("the exit", seconds: 60) { $0.contains("EXIT=") }
    }

    @Test(arguments: sizes)
    func afterTheRunEndsWaitingTrialsWereNotPromoted(size: (Int, Int)) throws {
        let root = newDirectory()
        let specPath = temporaryFile(
            "ux-end.yaml",
            """
            name: ux-end
            objective: {name: branin, cost: 0.02, sleep: true}
            scheduler: {variant: promotion, max_resource: 27}
            workers: 2
            budget: {trials: 20}
            seed: 7
            """)
        let binary = try ashbTopBinary()
        let session = try TmuxSession(
            command: "'\(binary)' run '\(specPath)' --runs-dir '\(root)'; echo EXIT=$?", width: size.0,
            height: size.1)
        let ended = try session.waitFor("the end", seconds: 90) { $0.contains("ENDED") }
        #expect(ended.contains("not promoted"))
        #expect(ended.contains("★"))
        try session.send("/")
        for c in "status:wait" { try session.send(String(c)) }
        try session.send("Enter")
        try session.waitFor("a waiting row") { $0.contains("not prom.") }
        try session.send("g")
        try session.send("Enter")
        try session.waitFor("not promoted, with its rung") {
            $0.contains("not promoted: the run ended while it waited at rung")
        }
        try session.send("Escape")
        try session.send("q")
        try session.waitFor("the exit") { $0.contains("EXIT=0") }
    }
}
