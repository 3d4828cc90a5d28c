import ASHA
import RunLog

extension UIState {
    /// Handles one key: changes the view state and returns what the outside world must do.
    public mutating func handle(_ key: Key, model: DashboardModel) -> [Effect] {
        flash = nil
        if key == .resize { return [] }
        // From the first key on, nothing moves the selection but the user.
        userMoved = true
        switch overlay {
        case .confirmKill(let id):
            overlay = nil
            if key == .char("y") || key == .char("Y") {
                flash = "kill sent for trial \(id)"
                return [.send(.killTrial(id))]
            }
            flash = "kill cancelled"
            return []
        case .confirmQuit:
            overlay = nil
            if key == .char("y") || key == .char("Y") { return [.send(.stopRun(reason: .userQuit)), .quit] }
            if key == .char("d"), whyDisabled(.detach, model: model) == nil { return [.detach] }
            flash = "quit cancelled"
            return []
        case .help:
            if key == .escape || keyMap.action(for: key) == .help || key == .char("q") { overlay = nil }
            return []
        default:
            break
        }
        if editingFilter, let handled = editFilter(key, model: model) { return handled }
        if jumpPrompt != nil { return editJump(key) }
        switch overlay {
        case .detail, .message:
            switch key {
            case .escape, .enter:
                overlay = nil
                return []
            case .char("l"):
                logScale.toggle()
                return []
            case .up, .char("k"):
                detailTop = max(0, detailTop - 1)
                return []
            case .down, .char("j"):
                detailTop += 1
                return []
            default:
                break
            }
        default:
            break
        }
        guard let action = keyMap.action(for: key) else { return [] }
        if let reason = whyDisabled(action, model: model) {
            flash = "\(keyMap.binding(action)?.keyNames ?? key.description): \(reason)"
            return []
        }
        return perform(action, model: model)
    }

    private mutating func perform(_ action: Action, model: DashboardModel) -> [Effect] {
        switch action {
        case .moveUp: move(by: -1, model: model)
        case .moveDown: move(by: 1, model: model)
        case .pageUp: move(by: -pageSize(model), model: model)
        case .pageDown: move(by: pageSize(model), model: model)
        case .top: move(by: Int.min / 2, model: model)
        case .bottom: move(by: Int.max / 2, model: model)
        case .nextPane:
            cycleFocus(by: 1, model: model)
        case .previousPane:
            cycleFocus(by: -1, model: model)
        case .detail:
            return open(model: model)
        case .pauseTrial:
            guard let id = actionTrial(in: model), let t = model.trial(id) else { return [] }
            flash = t.status == .paused ? "resume sent for trial \(id)" : "pause sent for trial \(id)"
            return [.send(t.status == .paused ? .resumeTrial(id) : .pauseTrial(id))]
        case .killTrial:
            if let id = actionTrial(in: model) { overlay = .confirmKill(id) }
        case .pauseRun:
            flash =
                model.runPaused
                ? "resume sent for the run" : "pause sent for the run: running jobs stop at their next report"
            return [.send(model.runPaused ? .resumeRun : .pauseRun)]
        case .moreWorkers:
            // A run with 'gpus' has one slot per GPU group and no more (the tuner would refuse it too).
            if let groups = model.info?.workerDevices?.count, model.workerCount >= groups {
                flash = "at most \(workers(groups)) in this run: one per GPU group of 'gpus'"
                return []
            }
            let count = max(1, min(model.workerCount, DashboardModel.maxWorkers - 1) + 1)
            flash = "asked for \(workers(count)) (now \(model.workerCount))"
            return [.send(.setWorkers(count))]
        case .fewerWorkers:
            flash =
                "asked for \(workers(model.workerCount - 1)) (now \(model.workerCount)): a busy slot ends its job first"
            return [.send(.setWorkers(model.workerCount - 1))]
        case .cycleSort:
            let keys = SortKey.all(parameters: model.parameterNames.count)
            sortKey = keys[((keys.firstIndex(of: sortKey) ?? -1) + 1) % keys.count]
            ascending = sortKey.naturalAscending(goal: model.goal)
            resyncAfterUserChange(model)
        case .sortAscending:
            ascending = true
            resyncAfterUserChange(model)
        case .sortDescending:
            ascending = false
            resyncAfterUserChange(model)
        case .filter:
            editingFilter = true
            focus = .trials
        case .freeze:
            frozen.toggle()
            flash = frozen ? "display frozen (the run goes on); f shows it live again" : "display live again"
        case .help:
            overlay = .help
        case .quit:
            if readOnly || model.isEnded { return [.quit] }
            overlay = .confirmQuit
        case .detach:
            return [.detach]
        case .redraw:
            break
        case .playPause, .faster, .slower, .stepForward, .stepBack, .nextDecision, .previousDecision, .seekForward,
            .seekBack, .seekForwardMinute, .seekBackMinute, .seekStart, .seekEnd, .jumpTo:
            return performReplay(action)
        case .close:
            if overlay != nil {
                overlay = nil
            } else if !filter.isEmpty {
                filter = ""
                resyncAfterUserChange(model)
            }
        }
        return []
    }

    private func workers(_ n: Int) -> String { n == 1 ? "1 worker" : "\(n) workers" }

    /// Tab and Shift-Tab: the next pane that is on screen at this size (a pane the layout dropped
    /// would take the keys with nothing highlighted), and the footer says which pane has the keys.
    private mutating func cycleFocus(by step: Int, model: DashboardModel) {
        let layout = Layout(size: screen, model: model, ui: self)
        let n = Pane.allCases.count
        var next = focus
        for _ in 0..<n {
            next = Pane(rawValue: (next.rawValue + step + n) % n)!
            if layout.shows(next) { break }
        }
        focus = next
        flash = "\(next.title): " + next.hint
    }

    /// Keys while typing the filter; nil lets navigation keys through.
    private mutating func editFilter(_ key: Key, model: DashboardModel) -> [Effect]? {
        switch key {
        case .escape:
            editingFilter = false
            filter = ""
        case .enter:
            editingFilter = false
            if let error = filterError {
                // Not taken: the text goes back to the filter in force, so nothing on screen shows a filter
                // the list does not use; the footer says why.
                let kept = activeFilter.isEmpty ? "no filter" : "filter \(activeFilter.source)"
                flash = "not taken: \(error); kept \(kept)"
                filter = activeFilter.source
                filterError = nil
                return []
            }
        case .backspace, .delete:
            if !filter.isEmpty { filter.removeLast() }
        case .char(let c):
            if filter.count < 64 { filter.append(c) }
        default:
            return nil
        }
        resyncAfterUserChange(model)
        return []
    }

    /// Enter: the trial's detail; on a rung, the trials list filtered to that rung; on a message, the
    /// message whole.
    private mutating func open(model: DashboardModel) -> [Effect] {
        switch focus {
        case .rungs:
            guard let (b, k) = selectedRungRow(in: model) else { return [] }
            filter = model.rungs.count > 1 ? "bracket:\(b) rung:\(k)" : "rung:\(k)"
            focus = .trials
            selectedOffset = nil
            resyncAfterUserChange(model)
            flash = "trials whose highest rung is \(k)\(model.rungs.count > 1 ? " in bracket \(b)" : ""); Esc clears"
        case .messages:
            let all = Array(notices.reversed()) + Array(model.recentMessages(selectedMessage + 1))
            if selectedMessage < all.count { overlay = .message(all[selectedMessage]) }
            detailTop = 0
        default:
            if let hidden = hiddenSelection(in: model) {
                flash = hidden
                return []
            }
            guard let id = actionTrial(in: model), model.trial(id) != nil else {
                flash = focus == .workers ? "no trial on this worker" : "no trial selected"
                return []
            }
            overlay = .detail(id)
            detailTop = 0
        }
        return []
    }

    private mutating func move(by delta: Int, model: DashboardModel) {
        func step(_ value: Int, _ count: Int) -> Int {
            max(0, min(count - 1, value.addingReportingOverflow(delta).partialValue))
        }
        switch focus {
        case .trials:
            guard table.count > 0 else { return }
            userMoved = true
            // With no row highlighted (events took the selection out of the filtered list), a move
            // highlights the top row on screen.
            let target = selectedRow.map { step($0, table.count) } ?? max(0, min(listTop, table.count - 1))
            table.settle(target..<(target + 1))
            selectedTrial = table.id(at: target)
            selectedRow = target
            selectedOffset = nil
            sync(with: model)
        case .workers:
            guard !model.workers.isEmpty else { return }
            selectedWorker = step(selectedWorker, model.workers.count)
        case .rungs:
            selectedRung = step(selectedRung, model.rungs.reduce(0) { $0 + $1.count })
        case .messages:
            selectedMessage = step(selectedMessage, notices.count + model.messageCount)
        }
    }
}
