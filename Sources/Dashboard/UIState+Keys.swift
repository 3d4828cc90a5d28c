import ASHA
import RunLog

extension UIState {
    /// Handles one key: changes the view state and returns what the outside world must do.
    public mutating func handle(_ key: Key, model: DashboardModel) -> [Effect] {
        flash = nil
        if key == .resize { return [] }
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
        if case .detail = overlay {
            switch key {
            case .escape, .enter:
                overlay = nil
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
            focus = Pane(rawValue: (focus.rawValue + 1) % Pane.allCases.count)!
        case .previousPane:
            focus = Pane(rawValue: (focus.rawValue + Pane.allCases.count - 1) % Pane.allCases.count)!
        case .detail:
            if let id = actionTrial {
                overlay = .detail(id)
                detailTop = 0
            }
        case .pauseTrial:
            guard let id = actionTrial, let t = model.trial(id) else { return [] }
            return [.send(t.status == .paused ? .resumeTrial(id) : .pauseTrial(id))]
        case .killTrial:
            if let id = actionTrial { overlay = .confirmKill(id) }
        case .pauseRun:
            return [.send(model.runPaused ? .resumeRun : .pauseRun)]
        case .moreWorkers:
            return [.send(.setWorkers(max(1, min(model.workerCount, DashboardModel.maxWorkers - 1) + 1)))]
        case .fewerWorkers:
            return [.send(.setWorkers(model.workerCount - 1))]
        case .cycleSort:
            sortKey = SortKey(rawValue: (sortKey.rawValue + 1) % SortKey.allCases.count)!
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

    /// Keys while typing the filter; nil lets navigation keys through.
    private mutating func editFilter(_ key: Key, model: DashboardModel) -> [Effect]? {
        switch key {
        case .escape:
            editingFilter = false
            filter = ""
        case .enter:
            editingFilter = false
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

    private mutating func move(by delta: Int, model: DashboardModel) {
        switch focus {
        case .trials:
            guard table.count > 0 else { return }
            userMoved = true
            let row = selectedRow ?? 0
            let target = max(0, min(table.count - 1, row.addingReportingOverflow(delta).partialValue))
            selectedTrial = table.id(at: target)
            selectedRow = target
            sync(with: model)
        case .workers:
            guard !model.workers.isEmpty else { return }
            selectedWorker = max(
                0, min(model.workers.count - 1, selectedWorker.addingReportingOverflow(delta).partialValue))
            if let t = model.workers[selectedWorker].trial {
                userMoved = true
                selectedTrial = t
                sync(with: model)
            }
        case .rungs:
            rungTop = max(0, rungTop.addingReportingOverflow(delta).partialValue)
        case .messages:
            messageTop = max(0, min(model.messageCount - 1, messageTop.addingReportingOverflow(delta).partialValue))
        }
    }
}
