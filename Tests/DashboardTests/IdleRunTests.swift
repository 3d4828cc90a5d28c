import Dashboard
import RunLog
import Testing

/// A run whose remaining trials are all paused by the user waits with nothing to do: the header says
/// IDLE and the footer says why and which key ends the wait.
@Suite struct IdleRunTests {
    /// Two trials start (sampling is over: the trial budget is 2); the user pauses one before its first
    /// report, the other once it waits at rung 0 (t = 5).
    static func pausedRun() -> EventBuilder {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info(maxTrials: 2)))
        b.add(.trialSampled(trial: 0, bracket: 0, config: EventBuilder.config(0.01)), at: 1)
        b.add(.trialSampled(trial: 1, bracket: 0, config: EventBuilder.config(0.02)))
        b.add(.jobStarted(trial: 0, worker: 0, rung: 0, fromResource: 0, toResource: 1))
        b.add(.jobStarted(trial: 1, worker: 1, rung: 0, fromResource: 0, toResource: 1))
        b.add(.trialPaused(trial: 0, by: .user), at: 3)  // before its first report: its job is owed
        b.add(.jobEnded(trial: 0, worker: 0))
        b.add(.metric(trial: 1, resource: 1, value: 0.4), at: 4)
        b.add(EventBuilder.decision(1, rung: 0, resource: 1, value: 0.4, action: .wait, size: 1))
        b.add(.jobEnded(trial: 1, worker: 1))
        b.add(.trialPaused(trial: 1, by: .user), at: 5)
        return b
    }

    func frame(_ model: DashboardModel, clock: Double?, _ w: Int, _ h: Int) -> String {
        var ui = viewState(model, size: Size(width: w, height: h))
        ui.clock = clock
        return render(model: model, ui: ui, size: Size(width: w, height: h)).text
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func aRunWaitingOnPausedTrialsSaysSoAndWhichKeyResumes(size: (Int, Int)) throws {
        var b = Self.pausedRun()
        var model = DashboardModel(events: b.events)
        #expect(model.run.waitsOnPausedTrials)
        // Right after the pause it may be the moment between two jobs: nothing is said yet.
        var text = frame(model, clock: 5.5, size.0, size.1)
        #expect(!text.contains("IDLE"))
        #expect(!text.contains("idle:"))
        // A second later with no event, it is the run's state.
        text = frame(model, clock: 6.5, size.0, size.1)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.hasSuffix("IDLE") == true, "\(text)")
        let footer = try #require(lines.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        #expect(footer.contains("idle: all 2 remaining trials are paused; p on one resumes it"), "\(text)")
        // A key's answer on the footer stays until the next key; the wait is said after it, as it fits.
        var ui = viewState(model, size: Size(width: size.0, height: size.1))
        ui.clock = 6.5
        ui.flash = "pause sent for trial 1"
        let withFlash = render(model: model, ui: ui, size: Size(width: size.0, height: size.1)).text
        let flashLine = try #require(withFlash.split(separator: "\n").last { $0.contains("pause sent") })
        #expect(flashLine.contains("idle: "), "\(flashLine)")
        #expect(flashLine.contains("p on one resumes it") || flashLine.contains("p resumes"), "\(flashLine)")
        // Resuming the trial whose job was cut short ends the wait: its job is owed again.
        b.add(.trialResumed(trial: 0, by: .user), at: 7)
        model = DashboardModel(events: b.events)
        #expect(!model.run.waitsOnPausedTrials)
        #expect(!frame(model, clock: 9, size.0, size.1).contains("IDLE"))
        // The run paused as a whole (P) is PAUSED, not idle.
        var paused = Self.pausedRun()
        paused.add(.runPaused(by: .user), at: 5)
        model = DashboardModel(events: paused.events)
        text = frame(model, clock: 9, size.0, size.1)
        #expect(!text.contains("IDLE"))
        #expect(text.contains("PAUSED"))
    }
}
