import ASHA
import Dashboard
import RunLog
import Testing

/// `d`: detaches where the dashboard can (a live run in its own session, an attached viewer), is
/// refused with the reason elsewhere, is offered by the quit question, and is not bound in a replay.
@Suite("Detach key")
struct DetachKeyTests {
    func liveModel() -> DashboardModel { DashboardModel(events: ReducerTests().promotionRun().events) }

    @Test func dDetachesOnlyWhereTheDashboardCan() {
        let model = liveModel()
        var ui = viewState(model)
        #expect(ui.handle(.char("d"), model: model).isEmpty)
        #expect(ui.flash == "d: this dashboard cannot detach")
        ui.detachable = true
        #expect(ui.handle(.char("d"), model: model) == [.detach])
    }

    @Test func theQuitQuestionOffersDetachAndStillStopsOnY() {
        let model = liveModel()
        var ui = viewState(model)
        ui.detachable = true
        #expect(ui.handle(.char("q"), model: model).isEmpty)
        #expect(ui.overlay == .confirmQuit)
        let frame = render(model: model, ui: ui, size: Size(width: 120, height: 40), options: RenderOptions())
        #expect(frame.text.contains("Quit and stop the run? y/N (d detaches: the run goes on)"))
        #expect(frame.text.contains("y = yes, d = detach, any other key = no"))
        #expect(ui.handle(.char("d"), model: model) == [.detach])
        _ = ui.handle(.char("q"), model: model)
        #expect(ui.handle(.char("y"), model: model) == [.send(.stopRun(reason: "user quit")), .quit])
        // Where d cannot detach, the question does not offer it.
        var plain = viewState(model)
        _ = plain.handle(.char("q"), model: model)
        let plainFrame = render(model: model, ui: plain, size: Size(width: 120, height: 40), options: RenderOptions())
        #expect(plainFrame.text.contains("Quit and stop the run? y/N"))
        #expect(!plainFrame.text.contains("d detaches"))
        #expect(!plainFrame.text.contains("d = detach"))
    }

    @Test func theFooterHintsDOnlyWhereItWorks() {
        let model = liveModel()
        var ui = viewState(model)
        let size = Size(width: 120, height: 40)
        #expect(!render(model: model, ui: ui, size: size, options: RenderOptions()).text.contains("d detach"))
        ui.detachable = true
        #expect(render(model: model, ui: ui, size: size, options: RenderOptions()).text.contains("q quit d detach"))
    }

    @Test func aReplayHasNoDetach() {
        #expect(KeyMap.replay.binding(.detach) == nil)
        #expect(KeyMap.replay.action(for: .char("d")) == nil)
        #expect(KeyMap.standard.action(for: .char("d")) == .detach)
    }
}
