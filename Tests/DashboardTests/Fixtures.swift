import ASHA
import Dashboard
import RunLog

/// Builds event streams for tests: `b.add(time, body)` numbers events in order.
struct EventBuilder {
    var events: [RunEvent] = []
    var time = 0.0

    mutating func add(_ body: RunEvent.Body, at t: Double? = nil) {
        if let t { time = t }
        events.append(RunEvent(seq: events.count, time: time, body: body))
    }

    static func info(
        variant: Variant = .promotion, workers: Int = 2, ladders: [[Int]] = [[1, 3, 9]], name: String = "test run",
        maxTrials: Int? = nil
    ) -> RunInfo {
        let settings = SchedulerSettings(
            variant: variant, goal: .minimize, minResource: 1, maxResource: 9, reductionFactor: 3,
            brackets: ladders.count, maxTrials: maxTrials)
        return RunInfo(
            name: name, objective: "toy", metric: "loss", goal: .minimize, settings: settings, ladders: ladders,
            workers: workers, maxSeconds: nil, parameters: ["lr", "batch"])
    }

    static func config(_ lr: Double, _ batch: Int = 32) -> Configuration {
        Configuration([.init(name: "lr", value: .double(lr)), .init(name: "batch", value: .int(batch))])
    }

    /// A decision with the usual fields.
    static func decision(
        _ trial: Int, rung: Int, resource: Int, value: Double, action: Decision.Action, cutoff: Double? = nil,
        rank: Int = 1, size: Int = 1, bracket: Int = 0, reason: Decision.Reason = .tooFewEntries
    ) -> RunEvent.Body {
        .decision(
            Decision(
                trial: trial, bracket: bracket, rung: rung, resource: resource, value: value, cutoff: cutoff,
                rank: rank,
                rungSize: size, action: action, reason: reason))
    }

    /// Samples `trial`, runs it on `worker` to rung 0 (r=1) and records `value` with a wait decision.
    mutating func firstRung(_ trial: Int, worker: Int, value: Double, size: Int, cutoff: Double? = nil) {
        add(.trialSampled(trial: trial, bracket: 0, config: Self.config(0.001 * Double(trial + 1))))
        add(.jobStarted(trial: trial, worker: worker, rung: 0, fromResource: 0, toResource: 1))
        add(.metric(trial: trial, resource: 1, value: value))
        add(Self.decision(trial, rung: 0, resource: 1, value: value, action: .wait, cutoff: cutoff, size: size))
        add(.jobEnded(trial: trial, worker: worker))
    }
}

/// A model and view state with the selection on a given trial.
func viewState(_ model: DashboardModel, size: Size = Size(width: 120, height: 40), readOnly: Bool = false) -> UIState {
    var ui = UIState(readOnly: readOnly)
    ui.screen = size
    ui.sync(with: model)
    return ui
}
