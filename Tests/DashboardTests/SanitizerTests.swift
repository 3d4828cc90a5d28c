import ASHA
import Dashboard
import RunLog
import Testing

@Suite("Sanitizer")
struct SanitizerTests {
    @Test(arguments: [
        ("evil\u{1b}[2J\u{7}name", "evilname"),
        ("a\u{1b}]0;pwned\u{7}b", "ab"),
        ("a\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\b", "alinkb"),
        ("x\u{9b}31my", "xy"),
        ("x\u{85}y", "xy"),
        ("a\u{90}payload\u{9c}b", "ab"),
        ("abc\u{202E}fed\u{202C}", "abcfed"),
        ("tab\there\nnew\r\0line\u{7f}", "tabherenewline"),
        ("e\u{301}t\u{e9}", "\u{e9}t\u{e9}"),
        ("zero\u{200B}width\u{FEFF}", "zerowidth"),
        ("名前", "??"),
        ("\u{1b}c\u{1b}(Bplain", "plain"),
        ("trailing\u{1b}", "trailing"),
    ])
    func cleansHostileText(input: String, expected: String) {
        #expect(Sanitizer.clean(input) == expected)
    }

    @Test func boundsTheWidth() {
        let s = Sanitizer.clean(String(repeating: "x", count: 100), maxColumns: 10)
        #expect(s.count == 10)
        #expect(s.hasSuffix("…"))
        #expect(Sanitizer.clean("short", maxColumns: 10) == "short")
        #expect(Sanitizer.clean("exactly10!", maxColumns: 10) == "exactly10!")
        #expect(Sanitizer.clean("anything", maxColumns: 0) == "")
    }

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
        #expect(grid.rowText(0) == "a???b ")
    }
}
