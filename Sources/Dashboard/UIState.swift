import ASHA
import RunLog

/// Everything the dashboard remembers about the user's view: focus, selections (a trial id in the
/// trials list, a slot in the workers pane, a row in the rungs and messages panes), scroll positions,
/// sort, filter, overlays, freeze. Keys act on what is highlighted now: in the workers pane the
/// trial on the selected slot at the moment of the key, elsewhere the selected trial. `handle` turns keys into state changes and
/// effects; `sync` keeps the trials list current with the model.
public struct UIState: Sendable {
    /// The keymap in force.
    public var keyMap: KeyMap
    /// Replay: actions on the run are disabled ("replay is read-only").
    public var readOnly: Bool
    /// `d` may close the screen while the run goes on (a live run in its own session, an attached viewer).
    public var detachable = false
    /// The pane that takes movement keys.
    public var focus: Pane = .trials
    /// What is drawn over the panes, if anything.
    public var overlay: Overlay?
    /// The selected trial; the cursor follows this id through re-sorts, and the list scrolls so its
    /// row stays where it was on screen.
    public var selectedTrial: TrialID?
    /// The selected worker slot in the workers pane (the selection is the slot, not its trial).
    public var selectedWorker = 0
    /// The selected row of the rungs pane (brackets and rungs in order); Enter filters the trials to it.
    public var selectedRung = 0
    /// The selected line of the messages pane (0: the newest); Enter opens it whole.
    public var selectedMessage = 0
    /// Where the selected row was on screen (rows below the list's top) at the last sync.
    var selectedOffset: Int?
    /// First visible row of the trials list.
    public var listTop = 0
    /// Scroll offset of the rungs pane.
    public var rungTop = 0
    /// Scroll offset of the messages pane.
    public var messageTop = 0
    /// Scroll offset of the decisions in the detail overlay.
    public var detailTop = 0
    /// The last lines of the detail overlay's trial's own output (a command's `stderr.log`), read by the
    /// terminal loop while the overlay is open (untrusted text: drawn sanitized).
    public var detailOutput: [String] = []
    /// What the trials list is sorted by.
    public var sortKey: SortKey = .status
    /// Sort direction.
    public var ascending = true
    /// Filter text as typed (empty: every trial; see `TrialFilter` for the language).
    public var filter = ""
    /// The filter in force: the last text that parsed.
    public internal(set) var activeFilter = TrialFilter(terms: [], source: "")
    /// What is wrong with `filter`, when it does not parse (the list keeps `activeFilter`).
    public internal(set) var filterError: FilterError?
    /// True while the user types the filter.
    public var editingFilter = false
    /// The detail overlay's learning curve on a logarithmic value axis (`l` toggles it).
    public var logScale = false
    /// Frozen: the screen shows a snapshot while events keep being folded.
    public var frozen = false
    /// One line of feedback for the footer (cleared by the next key).
    public var flash: String?
    /// The live loop's estimate of the run's current time (the latest event's time plus the wall
    /// time since it arrived), so the elapsed time and job ages tick between events. Nil in tests
    /// and replay: then the latest event's time is "now".
    public var clock: Double?
    /// Replay: what the `:` prompt holds while the user types a time or an event number (nil: no prompt).
    public var jumpPrompt: String?
    /// Replay: the clock, position and speed the header shows (nil in a live run).
    public var replay: ReplayStatus?
    /// Notices from the program (not events of the run), shown first in the messages pane.
    public var notices: [Message] = []
    /// The terminal size, for page sizes.
    public var screen = Size(width: 80, height: 24)
    /// The trials list as shown.
    public internal(set) var table = TrialList()
    /// The row of `selectedTrial` in `table` (cached).
    public internal(set) var selectedRow: Int?
    /// True once the user pressed a key (the dashboard stops steering the selection to running trials).
    var userMoved = false
    /// The trial the dashboard last steered the selection to (a selection set otherwise is not steered).
    var steeredTo: TrialID?

    /// A fresh view state.
    public init(keyMap: KeyMap = .standard, readOnly: Bool = false) {
        self.keyMap = keyMap
        self.readOnly = readOnly
    }

    /// Brings the trials list and the selection up to date with `model`.
    public mutating func sync(with model: DashboardModel) {
        if activeFilter.source != filter.split(separator: " ").joined(separator: " ") {
            switch TrialFilter.parse(filter, parameters: model.parameterNames, metric: model.metricName) {
            case .success(let f):
                activeFilter = f
                filterError = nil
            case .failure(let e): filterError = e
            }
        }
        table.sync(with: model, key: sortKey, ascending: ascending, filter: activeFilter)
        // Start on a running trial as soon as one exists (then stay on it until the user moves).
        // Until the user moves it, the selection stays on the first running trial at the top of the
        // list (so it never scrolls away by itself); from the first move on, it stays on its trial.
        if !userMoved, selectedTrial == nil || selectedTrial == steeredTo, let running = model.firstRunningTrial {
            let top = firstRow()
            let topRunning = top.flatMap { model.trial($0)?.status } == .running ? top : nil
            let current = selectedTrial.flatMap { model.trial($0)?.status }
            if let topRunning, sortKey == .status {
                selectedTrial = topRunning
            } else if current != .running {
                selectedTrial = running
            }
            steeredTo = selectedTrial
            selectedOffset = nil
        }
        if selectedTrial == nil, let top = firstRow() {
            selectedTrial = top
            if !userMoved { steeredTo = selectedTrial }
        }
        locateSelection()
        if selectedTrial.map({ model.trial($0) == nil }) ?? false, let top = firstRow() {
            // The selected trial is not in this model (a different run): start at the top.
            selectedTrial = top
            selectedRow = 0
        }
        let page = pageSize(model)
        if let row = selectedRow {
            // Keep the selected row where it was on screen: the rows around it move, it does not.
            if userMoved, let offset = selectedOffset { listTop = row - min(max(0, offset), page - 1) }
            if row < listTop { listTop = row }
            if row >= listTop + page { listTop = row - page + 1 }
        }
        listTop = max(0, min(listTop, table.count - page))
        // The screen line the user left the highlight on is kept (set again by the next move), so a
        // trial that briefly sorts to the top of the list comes back to its line.
        if selectedOffset == nil { selectedOffset = selectedRow.map { $0 - listTop } }
        // The rows on screen in their places (the rest of the order is made when read).
        table.settle(listTop..<(listTop + page))
        if selectedWorker >= model.workers.count { selectedWorker = max(0, model.workers.count - 1) }
        selectedRung = max(0, min(selectedRung, model.rungs.reduce(0) { $0 + $1.count } - 1))
        selectedMessage = max(0, min(selectedMessage, notices.count + model.messageCount - 1))
    }

    /// After the user changed the order or the filter: if the selection left the list, select the
    /// first row (a selection that only events hid stays, so keys keep acting on the same trial).
    mutating func resyncAfterUserChange(_ model: DashboardModel) {
        sync(with: model)
        if selectedRow == nil, let top = firstRow() {
            selectedTrial = top
            selectedRow = 0
            sync(with: model)
        }
    }

    /// Rows of the trials list that fit on screen.
    func pageSize(_ model: DashboardModel) -> Int {
        let layout = Layout(size: screen, model: model, ui: self)
        return max(1, (layout.trials?.height ?? 5) - 3)
    }

    mutating func locateSelection() {
        guard let id = selectedTrial else {
            selectedRow = nil
            return
        }
        if let r = selectedRow, table.isSettled(r), table.id(at: r) == id { return }
        selectedRow = table.locate(id)
    }

    /// The trial on the list's first row, put in its place first; nil for an empty list.
    mutating func firstRow() -> TrialID? {
        guard table.count > 0 else { return nil }
        table.settle(0..<1)
        return table.id(at: 0)
    }

    /// Why `action` is unavailable now (the first requirement of its binding that fails), or nil
    /// when it is available.
    public func whyDisabled(_ action: Action, model: DashboardModel) -> String? {
        guard let binding = keyMap.binding(action) else { return nil }
        for requirement in binding.requires {
            if let why = whyUnmet(requirement, model: model) { return why }
        }
        return nil
    }

    /// Why `requirement` does not hold now, or nil when it does.
    public func whyUnmet(_ requirement: Requirement, model: DashboardModel) -> String? {
        switch requirement {
        case .writable:
            return readOnly ? "replay is read-only" : nil
        case .liveRun:
            return model.isEnded ? "the run has ended" : nil
        case .selectedTrial:
            if let hidden = hiddenSelection(in: model) { return hidden }
            guard actionTrial(in: model).flatMap({ model.trial($0) }) == nil else { return nil }
            return focus == .workers && overlay == nil ? "no trial on this worker" : "no trial selected"
        case .activeTrial:
            guard let id = actionTrial(in: model), let t = model.trial(id) else {
                return focus == .workers && overlay == nil ? "no trial on this worker" : "no trial selected"
            }
            return t.status.isFinal ? "trial \(id) is \(t.status.name)" : nil
        case .spareWorker:
            return model.workerCount <= 1 ? "at least one worker" : nil
        case .detachable:
            return detachable ? nil : "this dashboard cannot detach"
        }
    }

    /// The trial that trial actions act on, as highlighted now: the detail overlay's; in the workers
    /// pane the trial on the selected slot (none on an idle slot); else the selected trial.
    public func actionTrial(in model: DashboardModel) -> TrialID? {
        if case .detail(let id) = overlay { return id }
        if case .confirmKill(let id) = overlay { return id }
        if focus == .workers {
            return selectedWorker < model.workers.count ? model.workers[selectedWorker].trial : nil
        }
        return selectedTrial
    }

    /// Why the selected trial cannot be acted on from the trials list: events took it out of the
    /// (filtered) list, so no row is highlighted, and a key must not act on a trial the user cannot see.
    func hiddenSelection(in model: DashboardModel) -> String? {
        guard overlay == nil, focus != .workers, let id = selectedTrial, selectedRow == nil, model.trial(id) != nil
        else { return nil }
        return "trial \(id) left the list (filter: \(activeFilter.source)); j/k selects a row"
    }

    /// The bracket and rung of the selected row of the rungs pane.
    public func selectedRungRow(in model: DashboardModel) -> (bracket: Int, rung: Int)? {
        var n = selectedRung
        for (b, bracket) in model.rungs.enumerated() {
            if n < bracket.count { return (b, n) }
            n -= bracket.count
        }
        return nil
    }
}
