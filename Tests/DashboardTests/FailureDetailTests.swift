import ASHA
import Testing

@testable import Dashboard
@testable import RunLog

/// A failed trial's detail view shows its whole reason (a command's stderr tail included), not the
/// first 200 characters the messages pane shows.
@Suite struct FailureDetailTests {
    @Test func detailShowsTheWholeReason() {
        let info = RunInfo(
            name: "t", objective: "command", metric: "loss", goal: .minimize, settings: SchedulerSettings(),
            ladders: [[1, 3, 9]], workers: 1, maxSeconds: nil, parameters: ["x"])
        let tail = (1...40).map { "line\($0)" }.joined(separator: " ")
        let reason =
            "command: python3 train.py (pid 42) exited with status 1 at resource 0; stderr tail: " + tail
            + " ValueError: THE-END"
        let events: [RunEvent.Body] = [
            .runStarted(info),
            .trialSampled(trial: 0, bracket: 0, config: Configuration([.init(name: "x", value: .double(0.5))])),
            .jobStarted(trial: 0, worker: 0, rung: 0, fromResource: 0, toResource: 1),
            .trialFailed(trial: 0, reason: reason),
            .jobEnded(trial: 0, worker: 0),
        ]
        let model = DashboardModel(events: events.enumerated().map { RunEvent(seq: $0, time: Double($0), body: $1) })
        #expect(model.trial(0)?.failureReason == reason)
        let size = Size(width: 80, height: 30)
        var ui = UIState(keyMap: .standard, readOnly: false)
        ui.screen = size
        ui.overlay = .detail(0)
        ui.sync(with: model)
        let text = render(model: model, ui: ui, size: size).text
        #expect(text.contains("failed: command: python3 train.py"), "\(text)")
        #expect(text.contains("THE-END"), "the end of the reason is shown: \(text)")
    }

    @Test func detailShowsTheTrialsLastOutputLinesSanitized() {
        let info = RunInfo(
            name: "t", objective: "command", metric: "loss", goal: .minimize, settings: SchedulerSettings(),
            ladders: [[1, 3, 9]], workers: 1, maxSeconds: nil, parameters: ["x"])
        let events: [RunEvent.Body] = [
            .runStarted(info),
            .trialSampled(trial: 0, bracket: 0, config: Configuration([.init(name: "x", value: .double(0.5))])),
        ]
        let model = DashboardModel(events: events.enumerated().map { RunEvent(seq: $0, time: Double($0), body: $1) })
        let size = Size(width: 80, height: 30)
        var ui = UIState(keyMap: .standard, readOnly: false)
        ui.screen = size
        ui.overlay = .detail(0)
        ui.detailOutput = ["epoch 1 loss 0.5", "\u{1b}]0;PWNED\u{07}epoch 2 loss 0.4"]
        ui.sync(with: model)
        let text = render(model: model, ui: ui, size: size).text
        #expect(text.contains("stderr (last lines)"))
        #expect(text.contains("epoch 1 loss 0.5"))
        #expect(text.contains("epoch 2 loss 0.4"))
        #expect(!text.contains("\u{1b}"), "no escape reaches the screen")
    }
}
