import Dashboard
import Foundation
import RunFixtures
import RunLog
import Testing

@testable import AshbTop

/// The real binary replaying the fixture in tmux: play, pause, step, seek, jump, read-only keys, quit.
@Suite(.serialized) struct ReplayEndToEndTests {
    static let total = 672

    /// The trial id on the selected row of the trials pane.
    func selected(_ screen: String) -> Int? {
        firstMatch(#"^│>\s+(\d+) "#, in: screen).flatMap { Int($0[0]) }
    }

    /// The header's position ("event N/672").
    func position(_ screen: String) -> Int? {
        firstMatch(#"event (\d+)/\#(Self.total)"#, in: screen).flatMap { Int($0[0]) }
    }

    @Test func playPauseStepSeekAndQuit() throws {
        let timeline = try ReplayFixtureTests.replayTimeline()
        let binary = try ashbTopBinary()
        let session = try TmuxSession(
            command:
                "echo; '\(binary)' replay '\(ReplayFixtureTests.fixtureDirectory)' --paused; echo; "
                + "stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo; echo EXIT=$?")
        let start = timeline.position(atTime: 0)
        try session.waitFor("the first frame, paused at time 0") {
            $0.contains("|| pause x1  0.0s / 37.5s") && $0.contains("event \(start)/672") && $0.contains("REPLAY")
        }
        // One event forward, two back.
        try session.send(".")
        try session.waitFor("one event forward") { position($0) == start + 1 }
        try session.send(",", ",")
        try session.waitFor("two events back") { position($0) == start - 1 }
        // A typed time, then 10 s back.
        try session.send(":", "2", "0", "s")
        try session.waitFor("the prompt") { $0.contains(":20s") }
        try session.send("Enter")
        try session.waitFor("20 s") {
            $0.contains(" 20.0s / 37.5s") && position($0) == timeline.position(atTime: 20)
        }
        try session.send("Left")
        try session.waitFor("10 s") {
            $0.contains(" 10.0s / 37.5s") && position($0) == timeline.position(atTime: 10)
        }
        // A minute forward is past the end: the run's end is shown.
        try session.send("PageDown")
        try session.waitFor("the end") {
            position($0) == Self.total && $0.contains("ENDED: finished") && $0.contains("37.5s / 37.5s")
        }
        // Back to the start, then to the next decision about the selected trial.
        try session.send("g")
        let atStart = try session.waitFor("the start") { $0.contains(" 0.0s / 37.5s") && position($0) == start }
        let trial = try #require(selected(atStart))
        let decision = try #require(timeline.nextDecision(about: trial, after: start))
        try session.send("]")
        try session.waitFor("the next decision about trial \(trial)") { position($0) == decision }
        // Trial keys are disabled, with the reason.
        try session.send("p")
        try session.waitFor("the read-only notice") { $0.contains("p: replay is read-only") }
        // Faster, play, pause: the clock moves on.
        try session.send("+", "+", "+")
        try session.waitFor("x8") { $0.contains("pause x8") }
        try session.send("Space")
        try session.waitFor("playing") { $0.contains("play x8") }
        try session.waitFor("the clock to move") { (position($0) ?? 0) > decision }
        try session.send("Space")
        let paused = try session.waitFor("paused") { $0.contains("|| pause x8") }
        let stopped = try #require(position(paused))
        try session.send("?")
        try session.waitFor("help") { $0.contains("kill trial (asks) - replay is read-only") }
        try session.send("Escape")
        try session.waitFor("help closed") { !$0.contains("Help  (Esc closes)") && position($0) == stopped }
        // q quits at once; the terminal is back in canonical mode with echo.
        try session.send("q")
        try session.waitFor("the shell after quitting") { _ in session.exited }
        let after = session.history()
        #expect(after.contains("icanon\necho\nEXIT=0"), "\(after)")
    }

    /// Shift-arrows need a terminal type that names them (tmux's default `screen` does not).
    @Test func shiftArrowsSeekAMinute() throws {
        let binary = try ashbTopBinary()
        let session = try TmuxSession(
            command:
                "echo; TERM=xterm-256color '\(binary)' replay '\(ReplayFixtureTests.fixtureDirectory)' --paused; "
                + "echo EXIT=$?")
        try session.waitFor("the first frame") { $0.contains(" 0.0s / 37.5s") }
        try session.send(":", "5", "s", "Enter")
        try session.waitFor("5 s") { $0.contains(" 5.0s / 37.5s") }
        try session.send("S-Right")
        try session.waitFor("a minute later: the end") { $0.contains(" 37.5s / 37.5s") && position($0) == Self.total }
        try session.send(":", "3", "0", "s", "Enter")
        try session.waitFor("30 s") { $0.contains(" 30.0s / 37.5s") }
        try session.send("S-Left")
        try session.waitFor("a minute earlier: the start") { $0.contains(" 0.0s / 37.5s") }
        try session.send("q")
        try session.waitFor("exit") { $0.contains("EXIT=0") }
    }

    @Test func anEarlyErrorIsPrintedAndTheTerminalIsLeftAlone() throws {
        var lines = ReplayBadLogTests.fixtureLines
        lines[4] = "garbage"
        let path = temporaryFile("events.jsonl", lines.joined(separator: "\n"))
        let binary = try ashbTopBinary()
        let session = try TmuxSession(command: "echo; '\(binary)' replay '\(path)'; echo EXIT=$?")
        try session.waitFor("the error") { $0.contains("EXIT=") }
        let screen = session.history()
        #expect(screen.contains("ashb-top: \(path):5: not valid JSON"))
        #expect(screen.contains("EXIT=1"))
    }

    /// A log longer than what is read before the screen is up, with a corrupt line at 5,001 and a torn end.
    func longBadLog() throws -> (path: String, events: Int) {
        let path = newDirectory() + "/events.jsonl"
        let writer = try LogWriter(creating: path, header: LogHeader(program: "test", spec: "", seed: 1))
        let events = RecordedRun.events(count: 700, workers: 4, brackets: 2, finish: true)
        try #require(events.count > 6000)
        for e in events.prefix(6000) { writer.receive(e) }
        writer.close()
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[5000] = "{\"seq\": oops"
        try (lines.joined(separator: "\n") + "\n{\"seq\":6000,").write(toFile: path, atomically: true, encoding: .utf8)
        return (path, 6000)
    }

    @Test func aBadLineFoundWhileTheScreenIsUpIsShownThere() throws {
        let (path, _) = try longBadLog()
        let binary = try ashbTopBinary()
        let strict = try TmuxSession(command: "echo; '\(binary)' replay '\(path)' --paused; echo EXIT=$?")
        try strict.waitFor("the notice on the dashboard") {
            $0.contains("log: line 5001: not valid JSON") && $0.contains("the replay ends there")
                && $0.contains("event 9/4999 ")
        }
        try strict.send("q")
        try strict.waitFor("exit") { $0.contains("EXIT=1") }
        #expect(strict.history().contains(":5001: not valid JSON"))
        let lenient = try TmuxSession(command: "echo; '\(binary)' replay '\(path)' --paused --lenient; echo EXIT=$?")
        try lenient.waitFor("the notices on the dashboard") {
            $0.contains("log: line 5001: not valid JSON") && $0.contains("log: line 6002 is incomplete")
                && $0.contains("/5999 ")
        }
        try lenient.send("q")
        try lenient.waitFor("exit") { $0.contains("EXIT=0") }
        let after = lenient.history()
        #expect(after.contains("line 5001: not valid JSON"))
        #expect(after.contains("line 6002 is incomplete"))
    }

    @Test func followShowsWhatAnotherProcessAppends() throws {
        let lines = ReplayBadLogTests.fixtureLines.filter { !$0.isEmpty }
        let path = temporaryFile("events.jsonl", lines.prefix(201).joined(separator: "\n") + "\n")
        let binary = try ashbTopBinary()
        let session = try TmuxSession(command: "trap : INT; echo; '\(binary)' replay '\(path)' --follow; echo EXIT=$?")
        // Following: at the end of what is there, which is not the end of the run.
        try session.waitFor("the end of the first 200 events") {
            $0.contains("event 200/200+") && $0.contains("FOLLOW") && !$0.contains("ENDED")
        }
        // The writer appends the rest, the last line in two writes.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data((lines[201..<(lines.count - 1)].joined(separator: "\n") + "\n").utf8))
        let last = lines[lines.count - 1]
        handle.write(Data(last.prefix(10).utf8))
        try session.waitFor("the appended events") { $0.contains("event \(Self.total - 1)/\(Self.total - 1)+") }
        handle.write(Data((last.dropFirst(10) + "\n").utf8))
        handle.closeFile()
        try session.waitFor("the run's end") {
            $0.contains("event \(Self.total)/\(Self.total)+") && $0.contains("ENDED: finished")
        }
        // Ctrl-C ends the replay with the conventional status (the shell only notes it, then prints it).
        try session.send("C-c")
        try session.waitFor("exit") { $0.contains("EXIT=130") }
    }
}
