import ASHA
import RunLog

/// Everything the dashboard remembers about the user's view: focus, selection (by trial id),
/// scroll positions, sort, filter, overlays, freeze. `handle` turns keys into state changes and
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
    /// The selected trial; the cursor follows this id through re-sorts.
    public var selectedTrial: TrialID?
    /// The cursor row in the workers pane.
    public var selectedWorker = 0
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
    /// Filter text (empty: every trial).
    public var filter = ""
    /// True while the user types the filter.
    public var editingFilter = false
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
    /// True once the user moved the cursor (the dashboard stops steering it to running trials).
    var userMoved = false

    /// A fresh view state.
    public init(keyMap: KeyMap = .standard, readOnly: Bool = false) {
        self.keyMap = keyMap
        self.readOnly = readOnly
    }

    /// Brings the trials list and the selection up to date with `model`.
    public mutating func sync(with model: DashboardModel) {
        table.sync(with: model, key: sortKey, ascending: ascending, filter: filter)
        // Start on a running trial as soon as one exists (then stay on it until the user moves).
        if !userMoved, let running = model.firstRunningTrial,
            selectedTrial.flatMap({ model.trial($0)?.status }).map({ $0 == .queued }) ?? true
        {
            selectedTrial = running
        }
        if selectedTrial == nil, table.count > 0 { selectedTrial = table.id(at: 0) }
        locateSelection()
        if selectedTrial.map({ model.trial($0) == nil }) ?? false, table.count > 0 {
            // The selected trial is not in this model (a different run): start at the top.
            selectedTrial = table.id(at: 0)
            selectedRow = 0
        }
        let page = pageSize(model)
        if let row = selectedRow {
            if row < listTop { listTop = row }
            if row >= listTop + page { listTop = row - page + 1 }
        }
        listTop = max(0, min(listTop, table.count - page))
        if selectedWorker >= model.workers.count { selectedWorker = max(0, model.workers.count - 1) }
    }

    /// After the user changed the order or the filter: if the selection left the list, select the
    /// first row (a selection that only events hid stays, so keys keep acting on the same trial).
    mutating func resyncAfterUserChange(_ model: DashboardModel) {
        sync(with: model)
        if selectedRow == nil, table.count > 0 {
            selectedTrial = table.id(at: 0)
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
        if let r = selectedRow, r < table.count, table.id(at: r) == id { return }
        selectedRow = table.row(of: id)
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
            return actionTrial.flatMap { model.trial($0) } == nil ? "no trial selected" : nil
        case .activeTrial:
            guard let id = actionTrial, let t = model.trial(id) else { return "no trial selected" }
            return t.status.isFinal ? "trial \(id) is \(t.status.name)" : nil
        case .spareWorker:
            return model.workerCount <= 1 ? "at least one worker" : nil
        case .detachable:
            return detachable ? nil : "this dashboard cannot detach"
        }
    }

    /// The trial that trial actions act on: the detail overlay's, else the selection.
    public var actionTrial: TrialID? {
        if case .detail(let id) = overlay { return id }
        return selectedTrial
    }
}
