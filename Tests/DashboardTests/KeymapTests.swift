import ASHA
import Dashboard
import RunFixtures
import RunLog
import Testing

@Suite("Keymap and view state")
struct KeymapTests {
    /// Four trials: 0 and 2 wait at rung 0, 1 was promoted and runs, 3 runs at rung 0.
    func liveModel() -> DashboardModel {
        DashboardModel(events: ReducerTests().promotionRun().events)
    }

    @Test func selectionStartsOnARunningTrial() {
        // The running trial at the top of the list (running first, best metric first: trial 1).
        let ui = viewState(liveModel())
        #expect(ui.selectedTrial == 1)
        #expect(ui.table.id(at: 0) == 1)
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info()))
        b.add(.trialSampled(trial: 0, bracket: 0, config: EventBuilder.config(0.1)))
        var early = viewState(DashboardModel(events: b.events))
        b.add(.trialSampled(trial: 1, bracket: 0, config: EventBuilder.config(0.2)))
        b.add(.jobStarted(trial: 1, worker: 0, rung: 0, fromResource: 0, toResource: 1))
        early.sync(with: DashboardModel(events: b.events))
        #expect(early.selectedTrial == 1)
    }

    @Test func selectionFollowsTheTrialIdAcrossResorts() {
        var b = ReducerTests().promotionRun()
        var model = DashboardModel(events: b.events)
        var ui = viewState(model)
        ui.selectedTrial = 2
        ui.sync(with: model)
        let before = ui.selectedRow
        #expect(ui.table.id(at: before!) == 2)
        for _ in 0..<SortKey.all(parameters: 2).count {
            _ = ui.handle(.char("s"), model: model)
            #expect(ui.selectedTrial == 2)
            #expect(ui.table.id(at: ui.selectedRow!) == 2)
        }
        _ = ui.handle(.char(">"), model: model)
        #expect(ui.table.id(at: ui.selectedRow!) == 2)
        // The trial reaches a higher rung and moves in a metric-sorted list: the cursor moves with it.
        ui.sortKey = .metric
        ui.ascending = true
        ui.sync(with: model)
        #expect(ui.table.ids.last == 2 || ui.table.ids.firstIndex(of: 2)! > 0)
        b.add(EventBuilder.decision(2, rung: 1, resource: 3, value: 0.01, action: .wait))
        model = DashboardModel(events: b.events)
        ui.sync(with: model)
        #expect(ui.table.ids.first == 2)
        #expect(ui.selectedTrial == 2)
        #expect(ui.selectedRow == 0)
    }

    @Test func movementKeys() {
        let model = liveModel()
        var ui = viewState(model)
        ui.sortKey = .id
        ui.sync(with: model)
        _ = ui.handle(.char("g"), model: model)
        #expect(ui.selectedTrial == 0)
        _ = ui.handle(.char("j"), model: model)
        _ = ui.handle(.down, model: model)
        #expect(ui.selectedTrial == 2)
        _ = ui.handle(.char("k"), model: model)
        #expect(ui.selectedTrial == 1)
        _ = ui.handle(.char("G"), model: model)
        #expect(ui.selectedTrial == 3)
        _ = ui.handle(.pageUp, model: model)
        #expect(ui.selectedTrial == 0)
        _ = ui.handle(.tab, model: model)
        #expect(ui.focus == .workers)
        _ = ui.handle(.down, model: model)
        #expect(ui.selectedWorker == 1)
        // The selection in the workers pane is the slot: keys act on the trial it runs now.
        #expect(ui.selectedTrial == 0)
        #expect(ui.actionTrial(in: model) == 1)
    }

    @Test func killAsksFirstAndNamesTheTrial() {
        let model = liveModel()
        var ui = viewState(model)
        #expect(ui.handle(.char("K"), model: model).isEmpty)
        #expect(ui.overlay == .confirmKill(1))
        let screen = render(model: model, ui: ui, size: Size(width: 100, height: 30)).text
        #expect(screen.contains("Kill trial 1 (lr=0.002 batch=32)? y/N"))
        #expect(ui.handle(.char("y"), model: model) == [.send(.killTrial(1))])
        #expect(ui.overlay == nil)
        _ = ui.handle(.function(9), model: model)
        #expect(ui.overlay == .confirmKill(1))
        #expect(ui.handle(.char("n"), model: model).isEmpty)
        #expect(ui.overlay == nil)
    }

    @Test func quitAsksWhileTheRunIsLive() {
        var b = ReducerTests().promotionRun()
        var model = DashboardModel(events: b.events)
        var ui = viewState(model)
        #expect(ui.handle(.char("q"), model: model).isEmpty)
        #expect(ui.overlay == .confirmQuit)
        #expect(ui.handle(.escape, model: model).isEmpty)
        _ = ui.handle(.function(10), model: model)
        #expect(ui.handle(.char("y"), model: model) == [.send(.stopRun(reason: "user quit")), .quit])
        b.add(.runEnded(reason: "finished"))
        model = DashboardModel(events: b.events)
        #expect(ui.handle(.char("q"), model: model) == [.quit])
    }

    @Test func escapeClosesAnyOverlayAtOnce() {
        let model = liveModel()
        var ui = viewState(model)
        for open in [Key.char("?"), .function(1), .enter, .char("K"), .char("q")] {
            _ = ui.handle(open, model: model)
            #expect(ui.overlay != nil)
            _ = ui.handle(.escape, model: model)
            #expect(ui.overlay == nil)
        }
    }

    @Test func readOnlyDisablesTrialKeysWithTheReason() {
        let model = liveModel()
        var ui = viewState(model, readOnly: true)
        for key in [Key.char("p"), .char("K"), .function(9), .char("P"), .char("+"), .char("-")] {
            #expect(ui.handle(key, model: model).isEmpty)
            #expect(ui.overlay == nil)
            #expect(ui.flash?.hasSuffix("replay is read-only") == true)
        }
        #expect(ui.whyDisabled(.killTrial, model: model) == "replay is read-only")
        #expect(ui.handle(.char("q"), model: model) == [.quit])
        _ = ui.handle(.char("?"), model: model)
        let help = render(model: model, ui: ui, size: Size(width: 100, height: 30)).text
        #expect(help.contains("kill trial (asks) - replay is read-only"))
    }

    @Test func trialAndRunCommands() {
        var b = ReducerTests().promotionRun()
        var model = DashboardModel(events: b.events)
        var ui = viewState(model)
        #expect(ui.handle(.char("p"), model: model) == [.send(.pauseTrial(1))])
        b.add(.trialPaused(trial: 1, by: .user))
        model = DashboardModel(events: b.events)
        ui.sync(with: model)
        // The paused trial stays selected (the selection never moves by itself after a key).
        #expect(ui.handle(.char("p"), model: model) == [.send(.resumeTrial(1))])
        #expect(ui.handle(.char("P"), model: model) == [.send(.pauseRun)])
        #expect(ui.handle(.char("+"), model: model) == [.send(.setWorkers(3))])
        #expect(ui.handle(.char("-"), model: model) == [.send(.setWorkers(1))])
        b.add(.trialKilled(trial: 1))
        model = DashboardModel(events: b.events)
        #expect(ui.handle(.char("p"), model: model).isEmpty)
        #expect(ui.flash == "p: trial 1 is killed")
    }

    @Test func filterByStatusIdAndConfig() {
        let model = liveModel()
        var ui = viewState(model)
        _ = ui.handle(.char("/"), model: model)
        for c in "wait" { _ = ui.handle(.char(c), model: model) }
        #expect(Set(ui.table.ids) == [0, 2])
        _ = ui.handle(.enter, model: model)
        #expect(!ui.editingFilter)
        #expect(ui.filter == "wait")
        _ = ui.handle(.escape, model: model)
        #expect(ui.filter.isEmpty)
        #expect(ui.table.count == 4)
        _ = ui.handle(.char("/"), model: model)
        for c in "lr=0.1" { _ = ui.handle(.char(c), model: model) }
        #expect(ui.table.ids == [3])
        #expect(ui.selectedTrial == 3)
        for _ in 0..<6 { _ = ui.handle(.backspace, model: model) }
        for c in "#2" { _ = ui.handle(.char(c), model: model) }
        #expect(ui.table.ids == [2])
        _ = ui.handle(.escape, model: model)
        #expect(ui.table.count == 4)
    }

    @Test func keymapIsConsistentData() {
        let keys = KeyMap.standard.bindings.flatMap(\.keys)
        #expect(Set(keys).count == keys.count, "a key is bound twice")
        let actions = KeyMap.standard.bindings.map(\.action)
        // Replay controls are bound in the replay keymap only.
        let replayActions = Set(KeyMap.replay.bindings.map(\.action))
        #expect(Set(actions).union(replayActions) == Set(Action.allCases), "every action has a binding")
        #expect(KeyMap.standard.bindings.filter(\.dangerous).map(\.action) == [.killTrial, .quit])
    }

    @Test func requirementsSayWhyAKeyIsDisabled() {
        var b = EventBuilder()
        b.add(.runStarted(EventBuilder.info(workers: 1)))
        var model = DashboardModel(events: b.events)
        var ui = viewState(model)
        #expect(ui.whyDisabled(.killTrial, model: model) == "no trial selected")
        // Enter opens what the focused pane highlights: with no trial, it says so.
        #expect(ui.handle(.enter, model: model).isEmpty)
        #expect(ui.overlay == nil)
        #expect(ui.flash == "no trial selected")
        #expect(ui.whyDisabled(.fewerWorkers, model: model) == "at least one worker")
        #expect(ui.whyDisabled(.moreWorkers, model: model) == nil)
        b.add(.runEnded(reason: "budget"))
        model = DashboardModel(events: b.events)
        ui.sync(with: model)
        #expect(ui.handle(.char("P"), model: model).isEmpty)
        #expect(ui.flash == "P: the run has ended")
        #expect(ui.whyDisabled(.cycleSort, model: model) == nil)
    }

    @Test func freezeShowsABadge() {
        let model = liveModel()
        var ui = viewState(model)
        _ = ui.handle(.char("f"), model: model)
        #expect(ui.frozen)
        #expect(render(model: model, ui: ui, size: Size(width: 100, height: 30)).rowText(0).contains("FROZEN"))
    }

    @Test func helpIsGeneratedFromTheKeymap() {
        let model = liveModel()
        var ui = viewState(model)
        _ = ui.handle(.char("?"), model: model)
        let text = render(model: model, ui: ui, size: Size(width: 120, height: 40)).text
        for binding in KeyMap.standard.bindings {
            #expect(text.contains(binding.description), "\(binding.description)")
        }
    }

    @Test func incrementalSyncMatchesAFullSort() {
        let events = RecordedRun.events(count: 600, workers: 5, brackets: 2)
        for key in SortKey.all(parameters: 2) {
            var model = DashboardModel()
            var ui = UIState()
            ui.sortKey = key
            ui.ascending = key.naturalAscending(goal: .minimize)
            for (i, e) in events.enumerated() {
                model.apply(e)
                if i % 37 == 0 { ui.sync(with: model) }
            }
            ui.sync(with: model)
            var fresh = TrialList()
            fresh.sync(with: model, key: key, ascending: ui.ascending, filter: .all)
            #expect(ui.table.ids == fresh.ids, "\(key)")
            #expect(ui.table.fullSorts == 1)
        }
    }
}

@Suite("Small terminals")
struct SmallTerminalTests {
    @Test func tooSmallSaysWhatIsNeededAndStillAsks() {
        let model = KeymapTests().liveModel()
        var ui = viewState(model, size: Size(width: 40, height: 10))
        var text = render(model: model, ui: ui, size: Size(width: 40, height: 10)).text
        #expect(text.contains("needs at least 50x14"))
        _ = ui.handle(.char("q"), model: model)
        text = render(model: model, ui: ui, size: Size(width: 40, height: 10)).text
        #expect(text.contains("Quit and stop the run? y/N"))
    }

    @Test func panesAreDroppedByPriority() {
        let model = RenderSnapshotTests.fixture()
        let ui = UIState()
        let big = Layout(size: Size(width: 120, height: 40), model: model, ui: ui)
        #expect(big.rungs != nil && big.workers != nil && big.best != nil && big.trials != nil && big.messages != nil)
        let medium = Layout(size: Size(width: 80, height: 24), model: model, ui: ui)
        #expect(medium.rungs != nil && medium.workers != nil && medium.trials != nil)
        #expect(medium.best == nil && medium.messages == nil)
        let small = Layout(size: Size(width: 60, height: 16), model: model, ui: ui)
        #expect(small.trials != nil && small.workers == nil && small.messages == nil)
        #expect(Layout(size: Size(width: 49, height: 30), model: model, ui: ui).tooSmall)
    }

    /// At 120 columns an empty messages pane gives its width to the trials table, so the
    /// hyperparameter columns are not cut; the first message brings the pane back to its usual width.
    @Test func anEmptyMessagesPaneLeavesRoomForTheTrialsColumns() {
        var b = EventBuilder()
        var info = EventBuilder.info()
        info.parameters = ["learning_rate", "hidden_units", "l2", "batch_size", "momentum"]
        b.add(.runStarted(info))
        let config = Configuration(
            info.parameters.enumerated().map { .init(name: $1, value: .double(0.5 + Double($0))) })
        b.add(.trialSampled(trial: 0, bracket: 0, config: config))
        let size = Size(width: 120, height: 40)
        let quiet = DashboardModel(events: b.events)
        let ui = viewState(quiet, size: size)
        let wide = Layout(size: size, model: quiet, ui: ui)
        let header = render(model: quiet, ui: ui, size: size).text
        b.add(.message(trial: nil, text: "something happened"))
        let told = DashboardModel(events: b.events)
        let usual = Layout(size: size, model: told, ui: viewState(told, size: size))
        #expect((wide.messages?.width ?? 0) < (usual.messages?.width ?? 0))
        #expect((wide.trials?.width ?? 0) > (usual.trials?.width ?? 0))
        #expect(header.contains("hidden_units") && header.contains("l2"))
        #expect(!render(model: told, ui: viewState(told, size: size), size: size).text.contains("hidden_units"))
    }
}

/// `+` in a run with 'gpus': one slot per GPU group, so at that many it says why instead of asking.
@Suite struct WorkerCapKeyTests {
    @Test func plusAtTheGPUGroupCountSaysWhyAndSendsNothing() {
        var info = EventBuilder.info(workers: 2)
        info.workerDevices = [["0"], ["1"]]
        var b = EventBuilder()
        b.add(.runStarted(info))
        var model = DashboardModel(events: b.events)
        var ui = UIState()
        ui.sync(with: model)
        #expect(ui.handle(.char("+"), model: model).isEmpty)
        #expect(ui.flash?.contains("at most 2 workers") == true, "\(ui.flash ?? "")")
        #expect(ui.flash?.contains("GPU group") == true)
        // Below the cap (after '-'), '+' asks again.
        b.add(.workersChanged(count: 1, by: .user))
        model = DashboardModel(events: b.events)
        #expect(ui.handle(.char("+"), model: model) == [.send(.setWorkers(2))])
    }
}
