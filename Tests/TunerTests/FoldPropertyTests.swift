import ASHA
import Foundation
import PropertyBased
import RunLog
import Testing

@testable import Tuner

/// Sends random commands while a simulated run goes on (the simulation is one thread: the commands
/// land between its events, so the stream stays one the tuner really produced).
final class CommandMonkey: @unchecked Sendable {  // `rng` and `tuner` are behind `lock`
    private let lock = NSLock()
    private var rng: SplitMix64
    weak var tuner: Tuner?

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    func poke(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        guard let tuner, rng.next() % 12 == 0 else { return }
        let trial = event.body.trial ?? Int(rng.next() % 8)
        let command: Command
        switch rng.next() % 20 {
        case 0...4: command = .pauseTrial(trial)
        case 5...9: command = .resumeTrial(Int(rng.next() % UInt64(max(1, trial + 1))))
        case 10...11: command = .killTrial(trial)
        case 12...14: command = .setWorkers(1 + Int(rng.next() % 5))
        case 15: command = .pauseRun
        case 16...17: command = .resumeRun
        case 18: command = rng.next() % 8 == 0 ? .stopRun(reason: "user quit") : .resumeRun
        default: command = .resumeTrial(trial)
        }
        tuner.send(command)
    }
}

@Suite("One fold: live, resumed and replayed states agree")
struct FoldPropertyTests {
    /// A random simulated run with random commands: its events and the tuner's final state.
    static func randomRun(seed: UInt64) throws -> (events: [RunEvent], state: RunState, settings: SchedulerSettings) {
        var rng = SplitMix64(seed: seed)
        let s = SchedulerSettings(
            variant: rng.next() % 2 == 0 ? .promotion : .stopping, goal: .minimize, minResource: 1,
            maxResource: rng.next() % 2 == 0 ? 9 : 27, reductionFactor: 2 + Int(rng.next() % 3),
            brackets: 1 + Int(rng.next() % 3), seed: rng.next() % 1000, maxTrials: 6 + Int(rng.next() % 40))
        let objective = BowlObjective(
            failBelow: rng.next() % 3 == 0 ? 0.1 : -1, nanAbove: rng.next() % 3 == 0 ? 0.9 : 2, costFromX: true)
        let recorder = Recorder()
        let monkey = CommandMonkey(seed: rng.next())
        recorder.onEvent = { monkey.poke($0) }
        let tuner = try makeTuner(s, objective: objective, workers: 1 + Int(rng.next() % 4), sinks: [recorder])
        monkey.tuner = tuner
        _ = tuner.run()
        return (recorder.events, tuner.state, s)
    }

    @Test func liveResumeFromAnyPrefixAndReplayAgree() async {
        await propertyCheck(count: 30, input: Gen.uint64()) { seed in
            let run = try! Self.randomRun(seed: seed)
            let replayed = RunState(events: run.events)
            #expect(replayed.violations == 0, "seed \(seed): \(replayed.firstViolation ?? "")")
            #expect(run.state == replayed, "seed \(seed): the live state is not the replay's")
            #expect(run.state.isEnded)
            let stride = max(1, run.events.count / 60)
            for cut in Swift.stride(from: 1, through: run.events.count, by: stride) {
                let prefix = run.events[..<cut]
                let tuner = try! makeTuner(run.settings, sinks: [])
                do {
                    try tuner.restore(events: prefix)
                } catch {
                    Issue.record("seed \(seed), cut \(cut): \(error)")
                    return
                }
                #expect(tuner.state == RunState(events: prefix), "seed \(seed), cut \(cut)")
            }
        }
    }

    /// A run cut anywhere and resumed goes on to its end; its whole log (both parts) replays to the
    /// resumed tuner's state.
    @Test func aResumedRunsLogReplaysToItsState() async {
        await propertyCheck(count: 20, input: Gen.uint64()) { seed in
            let run = try! Self.randomRun(seed: seed)
            var rng = SplitMix64(seed: seed ^ 0x5eed)
            for _ in 0..<4 {
                let cut = 1 + Int(rng.next() % UInt64(run.events.count))
                let recorder = Recorder()
                let tuner = try! makeTuner(run.settings, objective: BowlObjective(costFromX: true), sinks: [recorder])
                do {
                    try tuner.restore(events: run.events[..<cut])
                } catch {
                    Issue.record("seed \(seed), cut \(cut): \(error)")
                    return
                }
                let summary = tuner.run()
                let whole = Array(run.events[..<cut]) + recorder.events
                let replayed = RunState(events: whole)
                #expect(replayed.violations == 0, "seed \(seed), cut \(cut): \(replayed.firstViolation ?? "")")
                #expect(tuner.state == replayed, "seed \(seed), cut \(cut)")
                #expect(summary == replayed.summary, "seed \(seed), cut \(cut)")
                #expect(replayed.isEnded)
            }
        }
    }

    /// Hand-written illegal events are named, and change nothing.
    @Test func illegalTransitionsAreNamedAndIgnored() {
        var state = RunState()
        let info = RunInfo(
            name: "t", objective: "bowl", metric: "loss", goal: .minimize, settings: SchedulerSettings(),
            ladders: [[1, 3, 9]], workers: 1, maxSeconds: nil, parameters: ["x"])
        state.apply(RunEvent(seq: 0, time: 0, body: .runStarted(info)))
        state.apply(RunEvent(seq: 1, time: 0, body: .trialSampled(trial: 0, bracket: 0, config: Configuration([]))))
        let metric = state.apply(RunEvent(seq: 2, time: 1, body: .metric(trial: 0, resource: 1, value: 0.5)))
        #expect(metric?.description == "event 2: trial 0 is queued: a metric report is illegal")
        #expect(state.reports == 0)
        state.apply(
            RunEvent(
                seq: 3, time: 1, body: .jobStarted(trial: 0, worker: 0, rung: 0, fromResource: 0, toResource: 1)))
        let twice = state.apply(
            RunEvent(
                seq: 4, time: 1, body: .jobStarted(trial: 0, worker: 0, rung: 0, fromResource: 0, toResource: 1)))
        #expect(twice?.message == "trial 0 started on worker 0, which runs trial 0")
        state.apply(RunEvent(seq: 5, time: 2, body: .trialKilled(trial: 0)))
        let resumed = state.apply(RunEvent(seq: 6, time: 2, body: .trialResumed(trial: 0, by: .user)))
        #expect(resumed?.message == "trial 0 is killed: a resume is illegal")
        #expect(state.trials[0].status == .killed)
        #expect(state.violations == 3)
        #expect(state.firstViolation == metric?.description)
    }

    /// Every pair (status, move) has an answer, and final statuses only ever stay where they are.
    @Test func finalStatusesNeverMoveOn() {
        let moves: [TrialStatus.Move] =
            [
                .jobStarted, .reported(targetReached: false), .reported(targetReached: true), .paused,
                .resumed(owesJob: true), .resumed(owesJob: false), .killed, .completed, .failed, .jobEnded,
                .runContinued(owesJob: true), .runContinued(owesJob: false),
            ]
            + Decision.Action.allCases.map { .decided($0) }
        for status in TrialStatus.allCases where status.isFinal {
            for move in moves {
                if let next = status.after(move) { #expect(next == status, "\(status) \(move)") }
            }
        }
        #expect(TrialStatus.queued.after(.jobStarted) == .running)
        #expect(TrialStatus.running.after(.jobStarted) == nil)
        #expect(TrialStatus.paused.after(.resumed(owesJob: true)) == .queued)
        #expect(TrialStatus.paused.after(.resumed(owesJob: false)) == .waiting)
        #expect(TrialStatus.waiting.after(.decided(.promote)) == .queued)
        #expect(TrialStatus.running.after(.runContinued(owesJob: true)) == .queued)
    }
}
