import ASHA
import Dashboard
import Foundation
import RunFixtures
import RunLog
import Testing

/// What a new user tripped over (issue 13): the best configuration off screen, keys acting on a trial
/// that is not highlighted, a list that moves by itself, reasons that cannot be read, the filter.
@Suite("Usability")
struct UsabilityTests {
    static let sizes = [(160, 48), (120, 40), (100, 30), (80, 24), (60, 16)]

    static func recorded(finish: Bool = false) -> DashboardModel {
        DashboardModel(events: RecordedRun.events(count: 60, workers: 4, brackets: 1, finish: finish))
    }

    func frame(_ model: DashboardModel, _ ui: UIState, _ w: Int, _ h: Int, ascii: Bool = false) -> String {
        render(model: model, ui: ui, size: Size(width: w, height: h), options: RenderOptions(ascii: ascii)).text
    }

    @Test(arguments: sizes)
    func theBestConfigurationIsOnScreenAtEverySize(size: (Int, Int)) throws {
        let model = Self.recorded()
        let best = try #require(model.best)
        var ui = viewState(model, size: Size(width: size.0, height: size.1))
        ui.sync(with: model)
        let text = frame(model, ui, size.0, size.1)
        #expect(text.contains(formatShort(best.value)), "\(size): best value missing:\n\(text)")
        #expect(text.contains("trial \(best.trial)"), "\(size): best trial missing:\n\(text)")
        // Its first hyperparameter is on screen too (in the pane, or on the one-line form).
        let first = try #require(model.trial(best.trial)?.config.entries.first)
        #expect(text.contains(first.name), "\(size)")
    }

    @Test func idleWorkerRowsGoBeforeTheBestPane() {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info(workers: 12)))
        b.firstRung(0, worker: 0, value: 0.5, size: 1)
        b.add(.trialSampled(trial: 1, bracket: 0, config: EventBuilder.config(0.2)))
        b.add(.jobStarted(trial: 1, worker: 7, rung: 0, fromResource: 0, toResource: 1))
        b.add(.newBest(trial: 0, resource: 1, value: 0.5))
        let model = DashboardModel(events: b.events)
        let ui = viewState(model, size: Size(width: 80, height: 20))
        let text = frame(model, ui, 80, 20)
        #expect(text.contains("best 0.5 trial 0"))
        #expect(!text.contains("-  idle"), "idle rows shown at 80x20:\n\(text)")
        #expect(text.contains("idle"))  // "N idle" on the pane's border
        // The busy slot 7 is shown.
        #expect(text.contains("  7      1"))
    }

    @Test func inTheWorkersPaneKeysActOnTheTrialTheSlotShowsNow() {
        var b = ReducerTests().promotionRun()
        var model = DashboardModel(events: b.events)
        var ui = viewState(model)
        _ = ui.handle(.tab, model: model)
        #expect(ui.focus == .workers)
        _ = ui.handle(.down, model: model)
        #expect(ui.selectedWorker == 1)
        #expect(ui.actionTrial(in: model) == 1)
        // Worker 1 moves on to trial 4: `p` and `K` name trial 4, never the trial it ran before.
        b.add(.jobEnded(trial: 1, worker: 1))
        b.add(.trialSampled(trial: 4, bracket: 0, config: EventBuilder.config(0.3)))
        b.add(.jobStarted(trial: 4, worker: 1, rung: 0, fromResource: 0, toResource: 1))
        model = DashboardModel(events: b.events)
        ui.sync(with: model)
        #expect(ui.handle(.char("p"), model: model) == [.send(.pauseTrial(4))])
        _ = ui.handle(.char("K"), model: model)
        #expect(ui.overlay == .confirmKill(4))
        _ = ui.handle(.char("n"), model: model)
        // On an idle slot there is nothing to act on, and the footer says so.
        b.add(.jobEnded(trial: 4, worker: 1))
        model = DashboardModel(events: b.events)
        ui.sync(with: model)
        #expect(ui.handle(.char("p"), model: model).isEmpty)
        #expect(ui.flash == "p: no trial on this worker")
    }

    @Test func theSelectedTrialStaysWhereItIsOnScreen() {
        let events = RecordedRun.events(count: 80, workers: 4)
        let cut = events.count * 2 / 3
        var model = DashboardModel(events: events.prefix(cut))
        var ui = viewState(model, size: Size(width: 120, height: 40))
        for _ in 0..<6 { _ = ui.handle(.char("j"), model: model) }
        let id = ui.selectedTrial
        func highlightLine() -> Int? {
            frame(model, ui, 120, 40).split(separator: "\n", omittingEmptySubsequences: false)
                .firstIndex { $0.hasPrefix("│>") }
        }
        let line = highlightLine()
        #expect(line != nil)
        var moved = 0
        for e in events[cut...] {
            model.apply(e)
            ui.sync(with: model)
            #expect(ui.selectedTrial == id)
            // The highlight keeps its screen line unless the list is scrolled to its very top.
            if highlightLine() != line {
                #expect(
                    ui.listTop == 0,
                    "the highlight moved on screen: \(String(describing: highlightLine())) vs \(String(describing: line)), row \(String(describing: ui.selectedRow)) top \(ui.listTop) count \(ui.table.count)"
                )
                moved += 1
            }
            #expect(highlightLine() != nil)
        }
        #expect(moved < events.count - cut)
    }

    @Test func enterOnARungFiltersTheTrialsToIt() {
        let model = Self.recorded()
        var ui = viewState(model)
        _ = ui.handle(.tab, model: model)
        _ = ui.handle(.tab, model: model)
        #expect(ui.focus == .rungs)
        _ = ui.handle(.down, model: model)
        _ = ui.handle(.enter, model: model)
        #expect(ui.filter == "rung:1")
        #expect(ui.focus == .trials)
        #expect(ui.table.count > 0)
        #expect(ui.table.ids.allSatisfy { model.trial($0)?.highestRung == 1 })
        let text = frame(model, ui, 120, 40)
        #expect(text.contains("filter: rung:1"))
    }

    @Test func aFailureReasonIsReadWholeInTheDetailAndTheMessage() {
        var b = ReducerTests().promotionRun()
        let reason =
            "command: python3 train.py (pid 4242) exited with status 1; stderr tail: "
            + String(
                repeating: "Traceback line; ", count: 20) + "ValueError: the end"
        b.add(.trialFailed(trial: 3, reason: reason))
        let model = DashboardModel(events: b.events)
        var ui = viewState(model)
        ui.selectedTrial = 3
        ui.sync(with: model)
        _ = ui.handle(.enter, model: model)
        #expect(ui.overlay == .detail(3))
        let detail = frame(model, ui, 120, 40)
        #expect(detail.contains("ValueError: the end"))
        #expect(detail.contains("failed: command: python3 train.py (pid 4242)"))
        _ = ui.handle(.escape, model: model)
        // The messages pane cuts the line; Enter on it opens it whole.
        while ui.focus != .messages { _ = ui.handle(.tab, model: model) }
        _ = ui.handle(.char("g"), model: model)
        let pane = frame(model, ui, 120, 40)
        #expect(!pane.contains("ValueError: the end"))
        _ = ui.handle(.enter, model: model)
        guard case .message(let m) = ui.overlay else {
            Issue.record("Enter on a message did not open it")
            return
        }
        #expect(m.text.hasSuffix("ValueError: the end"))
        let opened = frame(model, ui, 120, 40)
        #expect(opened.contains("ValueError: the end"))
        let joined = opened.split(separator: "\n").map { $0.trimmingCharacters(in: .init(charactersIn: "│ ")) }
            .joined()
        #expect(joined.contains("Traceback line;Traceback line;") || joined.contains("Traceback line; Traceback"))
    }

    @Test func typingAFilterGivesTheSameListAsFilteringAndSortingFromScratch() {
        let model = Self.recorded()
        let typed = "rung>=1 lr<0.05 adam"
        for key in SortKey.all(parameters: model.parameterNames.count) {
            for ascending in [true, false] {
                var ui = viewState(model)
                ui.sortKey = key
                ui.ascending = ascending
                ui.sync(with: model)
                let sortsBefore = ui.table.fullSorts
                _ = ui.handle(.char("/"), model: model)
                var keys: [Key] = typed.map { .char($0) }
                // Take back the last word and type it again: a wider filter after a narrower one.
                keys += Array(repeating: .backspace, count: 5) + " sgd".map { .char($0) }
                for k in keys {
                    _ = ui.handle(k, model: model)
                    ui.sync(with: model)
                    var fresh = TrialList()
                    fresh.sync(with: model, key: key, ascending: ascending, filter: ui.activeFilter)
                    #expect(ui.table.ids == fresh.ids, "\(key) \(ascending) '\(ui.filter)'")
                }
                #expect(!ui.activeFilter.isEmpty)
                // Typing never sorted again.
                #expect(ui.table.fullSorts == sortsBefore, "\(key) \(ascending)")
            }
        }
    }

    @Test func theFilterLanguage() throws {
        let model = Self.recorded()
        func ids(_ text: String) -> [TrialID] {
            var ui = viewState(model)
            ui.filter = text
            ui.sync(with: model)
            #expect(ui.filterError == nil, "\(text): \(String(describing: ui.filterError))")
            return ui.table.ids
        }
        let running = ids("status:running")
        #expect(!running.isEmpty)
        // A word also matches the start of the status's name.
        #expect(ids("runn") == running)
        #expect(running.allSatisfy { model.trial($0)?.status == .running })
        #expect(ids("status:run,wait").count == model.count(.running) + model.count(.waiting))
        let deep = ids("rung>=2")
        #expect(!deep.isEmpty && deep.allSatisfy { (model.trial($0)?.highestRung ?? -1) >= 2 })
        let small = ids("lr<0.01")
        #expect(!small.isEmpty && small.allSatisfy { (model.trial($0)?.config["lr"]?.doubleValue ?? 1) < 0.01 })
        #expect(ids("id:7") == [7])
        let adam = ids("optimizer:adam rung>=1")
        #expect(adam.allSatisfy { model.trial($0)?.config["optimizer"] == .string("adam") })
        let word = ids("sgd")
        #expect(!word.isEmpty && word.allSatisfy { model.trial($0)!.configText.contains("sgd") })
        // What it cannot read is named, and the list keeps the last filter that parsed.
        var ui = viewState(model)
        _ = ui.handle(.char("/"), model: model)
        for c in "rung>=2" { _ = ui.handle(.char(c), model: model) }
        let kept = ui.table.ids
        _ = ui.handle(.char(">"), model: model)
        #expect(ui.filterError != nil)
        #expect(ui.table.ids == kept)
        #expect(frame(model, ui, 120, 40).contains("is not a number"))
        // The header shows the filter in force, not the text typed, and says the typed text is not valid;
        // the prompt says which filter the list keeps.
        for (w, h) in [(120, 40), (80, 24)] {
            let text = frame(model, ui, w, h)
            #expect(text.contains("filter: rung>=2 (typed: invalid)"), "\(w)x\(h):\n\(text)")
            #expect(!text.contains("filter: rung>=2>"), "\(w)x\(h):\n\(text)")
            let prompt = "not valid: 'rung>=2>': '2>' is not a number; list keeps rung>=2"
            #expect(text.contains(prompt), "\(w)x\(h):\n\(text)")
        }
        // Enter does not take it: the text goes back to the filter in force, and the footer says why.
        _ = ui.handle(.enter, model: model)
        ui.sync(with: model)
        #expect(ui.filter == "rung>=2")
        #expect(ui.filterError == nil)
        #expect(ui.table.ids == kept)
        let after = frame(model, ui, 120, 40)
        #expect(after.contains("not taken: 'rung>=2>': '2>' is not a number; kept filter rung>=2"), "\(after)")
        #expect(!after.contains("not valid"))
        for bad in ["foo:1", "status:bogus", "lr<abc", ":3", "rung<"] {
            let r = TrialFilter.parse(bad, parameters: model.parameterNames, metric: model.metricName)
            guard case .failure(let e) = r else {
                Issue.record("\(bad) parsed")
                continue
            }
            #expect(e.term == bad)
        }
    }

    @Test func theMetricSortsByRungThenValue() {
        let model = Self.recorded()
        var ui = viewState(model)
        ui.sortKey = .metric
        ui.ascending = true
        ui.sync(with: model)
        let rows = ui.table.ids.compactMap { model.trial($0) }.filter { $0.rungValue != nil }
        for (a, b) in zip(rows, rows.dropFirst()) {
            let ra = a.highestRung!
            let rb = b.highestRung!
            #expect(ra > rb || (ra == rb && a.rungValue! <= b.rungValue!), "\(a.id) before \(b.id)")
        }
    }

    @Test func everyHyperparameterIsAColumnAndSortable() {
        let model = Self.recorded()
        var ui = viewState(model, size: Size(width: 160, height: 48))
        let text = frame(model, ui, 160, 48)
        for name in model.parameterNames { #expect(text.contains(name)) }
        // `s` reaches every hyperparameter; sorted by lr, the column is in order.
        var seen: [SortKey] = []
        for _ in 0..<SortKey.all(parameters: model.parameterNames.count).count {
            _ = ui.handle(.char("s"), model: model)
            seen.append(ui.sortKey)
        }
        #expect(Set(seen).count == 4 + model.parameterNames.count)
        ui.sortKey = .parameter(0)
        ui.ascending = true
        ui.sync(with: model)
        let lrs = ui.table.ids.compactMap { model.trial($0)?.config.entries[0].value.doubleValue }
        #expect(lrs == lrs.sorted())
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func asciiFramesAreASCII(size: (Int, Int)) {
        let model = Self.recorded()
        var ui = viewState(model, size: Size(width: size.0, height: size.1))
        #expect(frame(model, ui, size.0, size.1, ascii: true).allSatisfy { $0.isASCII })
        ui.selectedTrial = model.trials.max { ($0.highestRung ?? -1) < ($1.highestRung ?? -1) }?.id
        _ = ui.handle(.enter, model: model)
        #expect(frame(model, ui, size.0, size.1, ascii: true).allSatisfy { $0.isASCII })
    }

    @Test func oneLinePerRungAndWaitingExplained() throws {
        var b = ReducerTests().promotionRun()
        var model = DashboardModel(events: b.events)
        var ui = viewState(model)
        ui.selectedTrial = 1
        ui.overlay = .detail(1)
        var text = frame(model, ui, 120, 40)
        // Trial 1 waited at rung 0, then was promoted: one line.
        let rung0 = text.split(separator: "\n").filter { $0.contains("rung 0 (r=1)") }
        #expect(rung0.count == 1)
        #expect(rung0.first?.contains("promoted at") == true, "\(text)")
        // Trial 0 waits at rung 0: what for, with its rank and the cutoff now.
        ui.overlay = .detail(0)
        text = frame(model, ui, 120, 40)
        #expect(text.contains("waits for"))
        #expect(text.contains("rank 2 of 3 now"))
        b.add(.runEnded(reason: "time budget"))
        model = DashboardModel(events: b.events)
        text = frame(model, ui, 120, 40)
        #expect(text.contains("not promoted: the run ended while it waited at rung 0"))
    }
}

@Suite("Filter on live changes")
struct FilterLiveTests {
    @Test func aTrialThatFailsAfterTheFilterWasTypedAppearsInIt() {
        var b = ReducerTests().promotionRun()
        var model = DashboardModel(events: b.events)
        var ui = viewState(model)
        _ = ui.handle(.char("/"), model: model)
        for c in "status:fail" { _ = ui.handle(.char(c), model: model) }
        _ = ui.handle(.enter, model: model)
        #expect(ui.table.count == 0)
        b.add(.trialFailed(trial: 3, reason: "boom"))
        model = DashboardModel(events: b.events)
        ui.sync(with: model)
        #expect(model.count(.failed) == 1)
        #expect(ui.table.ids == [3])
        // The same on one model folding on (the live dashboard's case).
        var live = DashboardModel(events: ReducerTests().promotionRun().events)
        var ui2 = viewState(live)
        ui2.filter = "status:fail"
        ui2.sync(with: live)
        live.apply(RunEvent(seq: 999, time: 9, body: .trialFailed(trial: 3, reason: "boom")))
        ui2.sync(with: live)
        #expect(ui2.table.ids == [3])
    }
}
