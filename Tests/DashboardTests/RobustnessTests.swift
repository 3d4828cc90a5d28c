import ASHA
import Dashboard
import RunLog
import Testing

/// Events from a corrupt or hostile log must neither crash the dashboard nor exhaust its memory.
@Suite("Robustness")
struct RobustnessTests {
    struct LCG {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        mutating func wild() -> Int {
            [-1, 0, 1, 2, 3, 7, 63, 64, 5000, Int.max, Int.min][next(11)]
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func garbageEventsFoldAndRender(seed: UInt64) {
        var g = LCG(state: seed)
        var model = DashboardModel()
        let values = [0.5, -1, .nan, .infinity, -.infinity, 1e300, 0]
        for seq in 0..<3000 {
            let t = g.wild()
            let v = values[g.next(values.count)]
            let body: RunEvent.Body
            switch g.next(12) {
            case 0: body = .trialSampled(trial: t, bracket: g.wild(), config: EventBuilder.config(v))
            case 1:
                body = .jobStarted(
                    trial: t, worker: g.wild(), rung: g.wild(), fromResource: g.wild(), toResource: g.wild())
            case 2: body = .metric(trial: t, resource: g.next(100), value: v)
            case 3:
                let action = Decision.Action.allCases[g.next(Decision.Action.allCases.count)]
                body = EventBuilder.decision(
                    t, rung: g.wild(), resource: g.wild(), value: v, action: action, cutoff: v, bracket: g.wild())
            case 4: body = .jobEnded(trial: t, worker: g.wild())
            case 5: body = .trialPaused(trial: t, by: .user)
            case 6: body = .trialResumed(trial: t, by: .tuner)
            case 7: body = .trialKilled(trial: t)
            case 8: body = .newBest(trial: t, resource: g.wild(), value: v)
            case 9: body = .workersChanged(count: g.wild(), by: .user)
            case 10: body = .trialFailed(trial: t, reason: "\u{1b}[2J")
            default: body = .runStarted(EventBuilder.info(workers: g.next(5000), ladders: [[1, 3], [], [9]]))
            }
            model.apply(RunEvent(seq: seq, time: Double(seq) * (v.isFinite ? 1 : -1), body: body))
        }
        #expect(model.workers.count <= DashboardModel.maxWorkers)
        #expect(model.rungs.count <= DashboardModel.maxBrackets)
        var ui = UIState()
        for size in [Size(width: 80, height: 24), Size(width: 200, height: 60), Size(width: 10, height: 3)] {
            ui.screen = size
            ui.sync(with: model)
            for key in [
                Key.enter, .char("K"), .char("?"), .char("s"), .tab, .pageDown, .char("G"), .char("+"), .char("-"),
                .char("p"), .char("P"), .char("k"), .char("/"), .char("x"), .enter, .char("f"), .tab, .tab, .char("j"),
            ] {
                _ = ui.handle(key, model: model)
                let grid = render(model: model, ui: ui, size: size)
                #expect(grid.cells.count == size.width * size.height)
            }
            _ = ui.handle(.escape, model: model)
        }
    }
}
