import ASHA
import Foundation
import RunFixtures
import RunLog
import Testing

@testable import Dashboard

/// What a new user met driving the dashboard at 80×24 and 120×40: Tab giving the keys to a pane that
/// is not on screen, keys with no feedback, numbers and words cut short in the header, the help and
/// the trials table.
@Suite("Newcomer")
struct NewcomerTests {
    static func recorded() -> DashboardModel {
        DashboardModel(events: RecordedRun.events(count: 60, workers: 4, brackets: 1))
    }

    func lines(_ model: DashboardModel, _ ui: UIState, _ w: Int, _ h: Int) -> [String] {
        render(model: model, ui: ui, size: Size(width: w, height: h)).text
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test(arguments: [(80, 24), (120, 40), (60, 16)])
    func tabOnlyFocusesPanesOnScreen(size: (Int, Int)) {
        let model = Self.recorded()
        let screen = Size(width: size.0, height: size.1)
        var ui = viewState(model, size: screen)
        var seen: Set<Pane> = [ui.focus]
        for key in [Key.tab, .tab, .tab, .tab, .tab, .backTab, .backTab, .backTab, .backTab] {
            _ = ui.handle(key, model: model)
            ui.sync(with: model)
            let layout = Layout(size: screen, model: model, ui: ui)
            #expect(layout.shows(ui.focus), "\(size): Tab focused the \(ui.focus) pane, which is not drawn")
            seen.insert(ui.focus)
            // The focused pane's title is bracketed on screen, and the footer names it.
            let text = lines(model, ui, size.0, size.1)
            #expect(text.contains { $0.contains("[ \(ui.focus.title)") }, "\(size): \(ui.focus) not highlighted")
            #expect(text.last?.contains(ui.focus.title) == true, "\(size): footer: \(text.last ?? "")")
        }
        let drawn = Pane.allCases.filter { Layout(size: screen, model: model, ui: ui).shows($0) }
        #expect(seen == Set(drawn), "\(size): Tab reached \(seen), drawn \(drawn)")
    }

    @Test func runKeysSayWhatTheySent() {
        let model = Self.recorded()
        var ui = viewState(model)
        #expect(ui.handle(.char("P"), model: model) == [.send(.pauseRun)])
        #expect(ui.flash?.contains("pause sent for the run") == true)
        let n = model.workerCount
        #expect(ui.handle(.char("+"), model: model) == [.send(.setWorkers(n + 1))])
        #expect(ui.flash == "asked for \(n + 1) workers (now \(n))")
        #expect(ui.handle(.char("-"), model: model) == [.send(.setWorkers(n - 1))])
        #expect(ui.flash?.hasPrefix("asked for \(n - 1) workers") == true)
        _ = ui.handle(.char("f"), model: model)
        #expect(ui.frozen)
        #expect(ui.flash?.hasPrefix("display frozen") == true)
        _ = ui.handle(.char("f"), model: model)
        #expect(!ui.frozen)
        #expect(ui.flash == "display live again")
    }

    /// The counts line draws each part whole or in its short form: never "budget 10" for "budget 10%".
    @Test(arguments: [50, 60, 70, 80, 90, 100, 120])
    func theCountsLineCutsNoNumber(width: Int) {
        let model = Self.recorded()
        let ui = viewState(model, size: Size(width: width, height: 24))
        let counts = lines(model, ui, width, 24)[1]
        if let range = counts.range(of: "budget ") {
            let rest = counts[range.upperBound...]
            let number = rest.prefix { $0.isNumber }
            #expect(!number.isEmpty && rest.dropFirst(number.count).first == "%", "\(width): '\(counts)'")
        }
        #expect(!counts.hasSuffix(" "))
        if width >= 80 { #expect(counts.contains("budget"), "\(width): '\(counts)'") }
    }

    /// The title keeps the metric, its goal and the elapsed time whole; the objective and then the
    /// run's name give way.
    @Test(arguments: [60, 80, 100, 120])
    func theTitleKeepsTheElapsedTime(width: Int) {
        let model = Self.recorded()
        let ui = viewState(model, size: Size(width: width, height: 24))
        let title = lines(model, ui, width, 24)[0]
        #expect(title.contains("loss ↓ min | elapsed "), "\(width): '\(title)'")
        #expect(title.range(of: #"elapsed \d"#, options: .regularExpression) != nil, "\(width): '\(title)'")
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func helpNamesEveryStatusWhole(size: (Int, Int)) {
        let model = Self.recorded()
        var ui = viewState(model, size: Size(width: size.0, height: size.1))
        _ = ui.handle(.char("?"), model: model)
        let text = lines(model, ui, size.0, size.1).joined(separator: "\n")
        for s in TrialStatus.displayOrder {
            #expect(
                text.range(of: "\(s.glyph(ascii: false)) \(s.name)(\\s|│)", options: .regularExpression) != nil,
                "\(size): \(s.name) cut:\n\(text)")
        }
    }

    /// At 80 columns the hyperparameters without a column are counted, not cut to two letters.
    @Test func theTrialsTableDoesNotCutTheRestToLetters() throws {
        let model = Self.recorded()
        let ui = viewState(model, size: Size(width: 80, height: 24))
        let text = lines(model, ui, 80, 24)
        let head = try #require(text.first { $0.contains("status") && $0.contains("id") })
        let names = model.parameterNames
        let shown = names.filter { head.contains($0) }
        if shown.count < names.count {
            #expect(head.contains("more") || head.contains("+\(names.count - shown.count)│"), "'\(head)'")
        }
        // No header cell ends in the first letters of a word cut by the border.
        #expect(!head.hasSuffix("mo│") && !head.hasSuffix("m│"), "'\(head)'")
    }

    @Test func enterHintSaysWhatEnterDoesInThePane() {
        let model = Self.recorded()
        var ui = viewState(model)
        #expect(lines(model, ui, 120, 40).last?.contains("Enter detail") == true)
        ui.focus = .rungs
        #expect(lines(model, ui, 120, 40).last?.contains("Enter its trials") == true)
        ui.focus = .messages
        #expect(lines(model, ui, 120, 40).last?.contains("Enter read") == true)
    }

    /// Counts of six digits and more (a 10M-event log) keep a space between columns.
    @Test func largeRungCountsDoNotRunTogether() throws {
        var model = Self.recorded()
        model.rungs[0][0].reached = 348_985
        model.rungs[0][0].promoted = 116_582
        model.rungs[0][0].waiting = 1_232_403
        model.rungs[0][0].stopped = 100_000
        var ui = viewState(model)
        ui.focus = .trials
        for (w, h) in [(120, 40), (80, 24)] {
            let text = lines(model, ui, w, h)
            let row = try #require(text.first { $0.contains("348985") }, "\(w)x\(h)")
            #expect(
                row.range(of: #"348985 +116582 +\d+ +1232403 +100000 "#, options: .regularExpression) != nil,
                "\(w)x\(h): '\(row)'")
            let head = try #require(text.first { $0.contains("reached") })
            // The header's names stay over their columns: 'reached' ends where the counts end.
            let end = try #require(row.range(of: "348985")?.upperBound)
            let headEnd = try #require(head.range(of: "reached")?.upperBound)
            #expect(row.distance(from: row.startIndex, to: end) == head.distance(from: head.startIndex, to: headEnd))
        }
    }

    /// With a trial's detail open the footer offers what works there (close, scroll, the scale, the
    /// trial's actions), not "Enter detail" or the panes under the overlay.
    @Test func footerUnderTheDetailNamesTheDetailsKeys() throws {
        let model = Self.recorded()
        var ui = viewState(model)
        let id = try #require(ui.actionTrial(in: model))
        _ = ui.handle(.enter, model: model)
        #expect(ui.overlay == .detail(id))
        for (w, h) in [(120, 40), (80, 24)] {
            let footer = try #require(lines(model, ui, w, h).last)
            #expect(footer.contains("Esc close") && footer.contains("j/k scroll"), "\(w)x\(h): '\(footer)'")
            #expect(!footer.contains("Enter") && !footer.contains("Tab"), "\(w)x\(h): '\(footer)'")
        }
        let footer = try #require(lines(model, ui, 120, 40).last)
        #expect(footer.contains("l log scale") && footer.contains("K kill"), "'\(footer)'")
        _ = ui.handle(.char("l"), model: model)
        #expect(lines(model, ui, 120, 40).last?.contains("l linear") == true)
        _ = ui.handle(.escape, model: model)
        #expect(ui.overlay == nil)
        #expect(lines(model, ui, 120, 40).last?.contains("Enter detail") == true)
    }
}

extension NewcomerTests {
    /// Enter on rung 0 filters the list to it; when the selected trial then reaches rung 1 it leaves
    /// the list: no row is highlighted, so `p`, `K` and Enter say so instead of acting on it unseen.
    @Test func keysDoNotActOnATrialTheFilterHides() throws {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info(workers: 2)))
        b.firstRung(0, worker: 0, value: 0.5, size: 1)
        b.firstRung(2, worker: 1, value: 0.6, size: 2)
        b.add(.trialSampled(trial: 1, bracket: 0, config: EventBuilder.config(0.2)))
        b.add(.jobStarted(trial: 1, worker: 1, rung: 0, fromResource: 0, toResource: 1))
        var model = DashboardModel(events: b.events)
        var ui = viewState(model)
        ui.filter = "rung:0"
        ui.sync(with: model)
        // Highlight trial 0 (waiting at rung 0) with the keys.
        for _ in 0..<3 where ui.selectedTrial != 0 { _ = ui.handle(.char("j"), model: model) }
        #expect(ui.selectedTrial == 0)
        #expect(ui.selectedRow != nil)
        // It is promoted and reaches rung 1: it leaves the filtered list.
        b.add(EventBuilder.decision(0, rung: 0, resource: 1, value: 0.5, action: .promote, size: 2))
        b.add(.jobStarted(trial: 0, worker: 0, rung: 1, fromResource: 1, toResource: 3))
        b.add(.metric(trial: 0, resource: 3, value: 0.3))
        b.add(EventBuilder.decision(0, rung: 1, resource: 3, value: 0.3, action: .wait, size: 1))
        model = DashboardModel(events: b.events)
        ui.sync(with: model)
        #expect(ui.selectedTrial == 0)
        #expect(ui.selectedRow == nil)
        do {
            #expect(ui.handle(.char("p"), model: model).isEmpty)
            #expect(ui.flash?.contains("left the list") == true, "\(ui.flash ?? "")")
            #expect(ui.handle(.char("K"), model: model).isEmpty)
            #expect(ui.overlay == nil)
            _ = ui.handle(.enter, model: model)
            #expect(ui.overlay == nil)
            // j highlights the top row; p then acts on it.
            _ = ui.handle(.char("j"), model: model)
            try #require(ui.table.count == 1)
            let top = ui.table.id(at: ui.listTop)
            #expect(ui.selectedTrial == top)
        }
    }
}

extension NewcomerTests {
    /// The one-line best shows whole `name=value` items, then "…": never a name without its value.
    @Test(arguments: [60, 70, 80, 90])
    func theBestLineCutsBetweenItems(width: Int) throws {
        let model = Self.recorded()
        let ui = viewState(model, size: Size(width: width, height: 24))
        let line = try #require(lines(model, ui, width, 24).first { $0.contains("★ best") })
        let config = try #require(line.components(separatedBy: ") ").last)
        for item in config.split(separator: " ") where item != "…" {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            #expect(parts.count == 2 && !parts[1].isEmpty, "\(width): '\(item)' in '\(line)'")
            #expect(!item.hasSuffix("…"), "\(width): '\(line)'")
        }
    }
}

extension NewcomerTests {
    /// After `-`, a slot above the worker count finishes its job: the header counts it apart instead
    /// of "workers 2/1".
    @Test func retiringSlotsAreCountedApart() {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info(workers: 2)))
        for t in 0..<2 {
            b.add(.trialSampled(trial: t, bracket: 0, config: EventBuilder.config(0.1 * Double(t + 1))))
            b.add(.jobStarted(trial: t, worker: t, rung: 0, fromResource: 0, toResource: 1))
        }
        b.add(.workersChanged(count: 1, by: .user))
        let model = DashboardModel(events: b.events)
        let ui = viewState(model)
        let counts = lines(model, ui, 120, 40)[1]
        #expect(counts.contains("workers 1/1 +1 retiring"), "'\(counts)'")
        let pane = lines(model, ui, 120, 40).first { $0.contains("Workers ") } ?? ""
        #expect(pane.contains("Workers 1/1 busy, 1 retiring"), "'\(pane)'")
    }
}

extension NewcomerTests {
    /// A trial with one value so far: its curve's axis runs half the value either side, not ±0.5 (an
    /// error of 0.1 had an axis from -0.4 to 0.6).
    @Test func oneValueGetsAnAxisAroundIt() {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info()))
        b.firstRung(0, worker: 0, value: 0.1, size: 1)
        let model = DashboardModel(events: b.events)
        var ui = viewState(model)
        ui.overlay = .detail(0)
        let screen = lines(model, ui, 120, 40)
        let labels = screen.compactMap { line -> Double? in
            // Axis labels are the numbers just left of the axis ('┤').
            guard let bar = line.firstIndex(of: "┤") else { return nil }
            return Double(line[..<bar].split(separator: " ").last ?? "")
        }
        #expect(labels.count >= 2, "\(screen.joined(separator: "\n"))")
        #expect(labels.allSatisfy { $0 > 0 }, "\(labels)")
        #expect(labels.max() == 0.15 && labels.min() == 0.05, "\(labels)")
    }
}

extension NewcomerTests {
    /// While a filter is typed, the footer's hint is the longest one that fits (at 80 columns it lost the
    /// end of "Esc clear"); once kept, the filter in force shows whole at the footer's end, the keys making
    /// room for it (at 80 columns it was cut to "fil", at 100 it did not show).
    @Test(arguments: [60, 80, 100, 120])
    func filterHintAndBadgeAreWhole(width: Int) {
        let model = DashboardModel(events: ReducerTests().promotionRun().events)
        var ui = viewState(model, size: Size(width: width, height: 24))
        _ = ui.handle(.char("/"), model: model)
        for c in "status:wait" { _ = ui.handle(.char(c), model: model) }
        let typing = lines(model, ui, width, 24).last ?? ""
        #expect(typing.contains("Enter keep, Esc clear"), "\(width): '\(typing)'")
        if width >= 120 { #expect(typing.contains("id:42 words"), "'\(typing)'") }
        _ = ui.handle(.enter, model: model)
        let kept = lines(model, ui, width, 24).last ?? ""
        #expect(kept.hasSuffix(" filter: status:wait"), "\(width): '\(kept)'")
        #expect(kept.hasPrefix("q quit"), "\(width): '\(kept)'")
    }
}

extension NewcomerTests {
    /// A decision's reason in the trial detail says the run's η, not the letters "eta".
    @Test func reasonsSayTheRunsEta() {
        let model = DashboardModel(events: RecordedRun.events(count: 40, finish: true, variant: .stopping))
        var ui = viewState(model)
        var seen = 0
        for id in 0..<40 {
            ui.overlay = .detail(id)
            let text = lines(model, ui, 120, 40).joined(separator: "\n")
            #expect(!text.contains("eta"), "trial \(id): \(text)")
            if text.contains("within the top 1/3") || text.contains("fewer than 3 entries") { seen += 1 }
        }
        #expect(seen > 10)
    }
}
