import ASHA
import Dashboard
import RunLog
import Testing
import TextSafety

/// Untrusted text on the dashboard's grid: inert, and wide characters drawn with their real width.
@Suite("Grid text")
struct GridTextTests {
    @Test func hostileEventTextNeverReachesTheGrid() {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info(name: "evil\u{1b}[2J\u{7}name")))
        let config = Configuration([.init(name: "opt\u{1b}[31m", value: .string("adam\u{202E}\u{1b}]0;x\u{7}"))])
        b.add(.trialSampled(trial: 0, bracket: 0, config: config))
        b.add(.jobStarted(trial: 0, worker: 0, rung: 0, fromResource: 0, toResource: 1))
        b.add(.trialFailed(trial: 0, reason: "bad\u{1b}[H\u{1b}[2Jthings\u{9b}6n"))
        b.add(.runEnded(reason: "\u{7}done"))
        let model = DashboardModel(events: b.events)
        #expect(model.runName == "evilname")
        #expect(model.trial(0)?.configText == "opt=adam")
        #expect(model.recentMessages(5).contains { $0.text == "trial 0 failed: badthings" })
        var ui = viewState(model)
        for size in [Size(width: 120, height: 40), Size(width: 80, height: 24)] {
            for overlay in [nil, Overlay.detail(0), .help, .confirmKill(0)] {
                ui.overlay = overlay
                let grid = render(model: model, ui: ui, size: size)
                let bad = grid.cells.filter { c in
                    c.character.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
                }
                #expect(bad.isEmpty)
                #expect(grid.text.contains("evilname"))
            }
        }
    }

    @Test func gridReplacesWhatItCannotShowInOneColumn() {
        var grid = CellGrid(width: 6, height: 1)
        grid.put("a\u{1b}名🙂b", x: 0, y: 0)
        #expect(grid.rowText(0) == "a?名🙂")
        #expect(grid[2, 0].character == "名" && grid[3, 0].isContinuation)
    }

    @Test func wideRunNamesAreDrawnNotReplaced() {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info(name: "学习率测试")))
        let model = DashboardModel(events: b.events)
        #expect(model.runName == "学习率测试")
        for size in [Size(width: 120, height: 40), Size(width: 80, height: 24)] {
            let grid = render(model: model, ui: viewState(model), size: size)
            #expect(grid.text.contains("学习率测试"), "\(grid.text)")
            #expect(!grid.text.contains("?????"))
        }
    }

    @Test func overwritingHalfAWideCharacterBlanksItsOtherHalf() {
        var grid = CellGrid(width: 6, height: 1)
        grid.put("学习率", x: 0, y: 0)
        grid.put("x", x: 1, y: 0)  // the second half of 学
        #expect(grid.rowText(0) == " x习率")
        grid.put("y", x: 2, y: 0)  // the first half of 习
        #expect(grid.rowText(0) == " xy 率")
        grid.put("学", x: 5, y: 0)  // does not fit in the last column
        #expect(grid.rowText(0) == " xy 率")
    }
}
