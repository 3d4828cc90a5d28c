import ASHA
import Dashboard
import RunLog
import Testing

/// The replay keymap, the `:` prompt and the replay header, through `UIState.handle` and `render`.
@Suite("Replay keys and header")
struct ReplayKeysTests {
    static func model() -> DashboardModel { DashboardModel(events: ReplayTimelineTests.events.prefix(400)) }

    static func replayUI(_ model: DashboardModel) -> UIState {
        var ui = UIState(keyMap: .replay, readOnly: true)
        ui.screen = Size(width: 120, height: 40)
        ui.replay = ReplayStatus(
            clock: 750, duration: 3000, position: 400, count: 1600, playing: true, speed: "x4", loading: false)
        ui.sync(with: model)
        return ui
    }

    @Test func theIssuesKeysAreReplayControls() {
        let model = Self.model()
        var ui = Self.replayUI(model)
        let expected: [(Key, ReplayControl)] = [
            (.char(" "), .playPause), (.char("+"), .faster), (.char("="), .faster), (.char("-"), .slower),
            (.char("."), .step(1)), (.char(","), .step(-1)), (.char("]"), .nextDecision),
            (.char("["), .previousDecision), (.right, .seek(seconds: 10)), (.left, .seek(seconds: -10)),
            (.shiftRight, .seek(seconds: 60)), (.shiftLeft, .seek(seconds: -60)), (.pageDown, .seek(seconds: 60)),
            (.pageUp, .seek(seconds: -60)), (.char("g"), .start), (.char("G"), .end),
        ]
        for (key, control) in expected {
            #expect(ui.handle(key, model: model) == [.replay(control)], "\(key)")
        }
        // `<` and `>` set the sort direction, as they do live (speed is `+`/`-` only).
        ui.sortKey = .id
        #expect(ui.handle(.char(">"), model: model).isEmpty)
        #expect(!ui.ascending)
        #expect(ui.handle(.char("<"), model: model).isEmpty)
        #expect(ui.ascending)
        #expect(KeyMap.replay.action(for: .char("<")) == .sortAscending)
        #expect(KeyMap.replay.action(for: .char(">")) == .sortDescending)
        // The same keys in a live run keep their live meanings.
        var live = viewState(model)
        #expect(live.handle(.char("+"), model: model) == [.send(.setWorkers(model.workerCount + 1))])
    }

    @Test func trialKeysAreDisabledWithTheReason() {
        let model = Self.model()
        var ui = Self.replayUI(model)
        #expect(ui.handle(.char("p"), model: model).isEmpty)
        #expect(ui.flash == "p: replay is read-only")
        #expect(ui.handle(.char("K"), model: model).isEmpty)
        #expect(ui.overlay == nil)
        #expect(ui.handle(.char("P"), model: model).isEmpty)
        #expect(ui.flash == "P: replay is read-only")
        // Quitting a replay stops nothing, so it does not ask.
        #expect(ui.handle(.char("q"), model: model) == [.quit])
    }

    @Test func helpIsTruthful() {
        let keys = KeyMap.replay.bindings.flatMap(\.keys)
        #expect(Set(keys).count == keys.count, "a key is bound twice")
        for action in [Action.moreWorkers, .fewerWorkers, .pageUp, .pageDown] {
            #expect(KeyMap.replay.binding(action) == nil, "\(action) lost its keys to replay")
        }
        #expect(KeyMap.replay.binding(.sortAscending)?.keys == [.char("<")])
        #expect(KeyMap.replay.binding(.sortDescending)?.keys == [.char(">")])
        #expect(KeyMap.replay.binding(.top)?.keys == [.home])
        #expect(KeyMap.replay.binding(.quit)?.dangerous == false)
        let model = Self.model()
        var ui = Self.replayUI(model)
        _ = ui.handle(.char("?"), model: model)
        let text = render(model: model, ui: ui, size: ui.screen).text
        for binding in KeyMap.replay.bindings {
            #expect(text.contains(binding.keyNames + " "), "\(binding.keyNames)")
            #expect(text.contains(binding.description), "\(binding.description)")
        }
        #expect(text.contains("kill trial (asks) - replay is read-only"))
        #expect(!text.contains("one more worker"))
    }

    @Test func colonJumpsToATimeOrAnEventNumber() {
        let model = Self.model()
        var ui = Self.replayUI(model)
        #expect(ui.handle(.char(":"), model: model).isEmpty)
        for c in "12m30s" { #expect(ui.handle(.char(c), model: model).isEmpty) }
        #expect(render(model: model, ui: ui, size: ui.screen).rowText(39).hasPrefix(":12m30s"))
        #expect(ui.handle(.enter, model: model) == [.replay(.jump(.time(750)))])
        #expect(ui.jumpPrompt == nil)
        _ = ui.handle(.char(":"), model: model)
        for c in "4x" { _ = ui.handle(.char(c), model: model) }
        _ = ui.handle(.backspace, model: model)
        #expect(ui.handle(.enter, model: model) == [.replay(.jump(.event(4)))])
        _ = ui.handle(.char(":"), model: model)
        for c in "soon" { _ = ui.handle(.char(c), model: model) }
        #expect(ui.handle(.enter, model: model).isEmpty)
        #expect(ui.flash?.hasPrefix("not a time") == true)
        _ = ui.handle(.char(":"), model: model)
        _ = ui.handle(.char("q"), model: model)
        #expect(ui.handle(.escape, model: model).isEmpty)
        #expect(ui.jumpPrompt == nil)
    }

    /// A run name too long for the replay title ends in an ellipsis, never mid-word with no mark.
    @Test func aLongRunNameEndsInAnEllipsis() {
        var b = EventBuilder()
        let name = "a-rather-long-run-name-for-a-replay-title"
        b.add(.runStarted(EventBuilder.info(name: name)))
        let model = DashboardModel(events: b.events)
        let ui = Self.replayUI(model)
        let top = render(model: model, ui: ui, size: Size(width: 80, height: 30)).rowText(0)
        #expect(top.contains(" a-rather… "), "\(top)")
        let wide = render(model: model, ui: ui, size: Size(width: 200, height: 30)).rowText(0)
        #expect(wide.contains(name), "\(wide)")
    }

    @Test func headerShowsClockBarSpeedAndBadge() {
        let model = Self.model()
        let ui = Self.replayUI(model)
        for width in [120, 80, 50] {
            let top = render(model: model, ui: ui, size: Size(width: width, height: 30)).rowText(0)
            #expect(top.contains("REPLAY"), "\(width): \(top)")
            #expect(top.contains("12:30 / 50:00"), "\(width): \(top)")
            #expect(top.contains("x4"), "\(width): \(top)")
            #expect(top.count <= width)
        }
        let wide = render(model: model, ui: ui, size: Size(width: 120, height: 30)).rowText(0)
        #expect(wide.contains("event 400/1600"))
        #expect(wide.contains("[█████████"))
        #expect(wide.contains("play"))
        let ascii = render(
            model: model, ui: ui, size: Size(width: 120, height: 30), options: RenderOptions(ascii: true))
        #expect(ascii.rowText(0).contains("[#########."))
    }

    @Test func noticesComeFirstInTheMessagesPane() {
        let model = Self.model()
        var ui = Self.replayUI(model)
        ui.notices.append(Message(time: -1, text: "log: line 9 is incomplete; ignored", role: .warning))
        let text = render(model: model, ui: ui, size: ui.screen).text
        #expect(text.contains("log: line 9 is incomplete; ignored"))
    }
}

/// The help overlay at 80×24 shows every key's whole description, live and in replay (the replay's
/// were cut mid-word: "replay faster (x0.25", "next decision about t").
@Suite struct HelpAt80ColumnsTests {
    @Test(arguments: [false, true])
    func everyDescriptionIsWhole(replay: Bool) {
        let model = ReplayKeysTests.model()
        var ui = replay ? ReplayKeysTests.replayUI(model) : viewState(model)
        ui.screen = Size(width: 80, height: 24)
        _ = ui.handle(.char("?"), model: model)
        let screen = render(model: model, ui: ui, size: Size(width: 80, height: 24)).text
        for b in ui.keyMap.bindings {
            #expect(screen.contains(b.description), "\(b.keyNames): '\(b.description)' is not whole at 80x24")
        }
        #expect(!screen.contains("…│"), "a help line was cut")
    }
}

/// On the smallest screen the dashboard draws (50×14) the replay's keys do not fit: the help box keeps
/// its border and says that more keys exist (the key lines ran over its border and below it).
@Suite struct HelpOnAShortScreenTests {
    @Test func theListStopsInsideTheBox() {
        let model = ReplayKeysTests.model()
        var ui = ReplayKeysTests.replayUI(model)
        ui.screen = Size(width: 50, height: 14)
        _ = ui.handle(.char("?"), model: model)
        let lines = render(model: model, ui: ui, size: Size(width: 50, height: 14)).text.split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains { $0.contains("more keys: a taller terminal shows them all") })
        // The box's bottom border (the screen's 13th line) holds no key text.
        #expect(lines.count >= 13 && !lines[12].contains { $0.isLetter }, "\(lines.count > 12 ? lines[12] : "")")
    }
}

/// The `:` prompt's hint is the longest that fits: "Enter go, Esc cancel" always shows.
@Suite struct JumpPromptHintTests {
    @Test(arguments: [50, 80, 120])
    func theHintFitsWhole(width: Int) {
        let model = ReplayKeysTests.model()
        var ui = ReplayKeysTests.replayUI(model)
        ui.screen = Size(width: width, height: 24)
        _ = ui.handle(.char(":"), model: model)
        for c in "12m30s" { _ = ui.handle(.char(c), model: model) }
        let footer = render(model: model, ui: ui, size: Size(width: width, height: 24)).text.split(separator: "\n").last
        #expect(footer?.contains("Enter go, Esc cancel") == true, "\(width): '\(footer ?? "")'")
    }
}
