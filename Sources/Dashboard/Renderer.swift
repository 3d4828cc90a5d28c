import ASHA
import RunLog
import TextSafety

/// Draws a frame of the dashboard into a `CellGrid`. Pure: the same model, view state, size and
/// options give the same grid. Cost depends on the screen size, not on how many trials the run has.
public struct Renderer {
    var grid: CellGrid
    let model: DashboardModel
    let ui: UIState
    let g: Glyphs
    let layout: Layout

    /// Renders one frame.
    public static func render(
        model: DashboardModel, ui: UIState, size: Size, options: RenderOptions = RenderOptions()
    ) -> CellGrid {
        var r = Renderer(model: model, ui: ui, size: size, options: options)
        r.draw()
        return r.grid
    }

    init(model: DashboardModel, ui: UIState, size: Size, options: RenderOptions) {
        grid = CellGrid(width: size.width, height: size.height)
        self.model = model
        self.ui = ui
        g = Glyphs(ascii: options.ascii)
        layout = Layout(size: size, model: model, ui: ui)
    }

    mutating func draw() {
        if layout.tooSmall {
            drawTooSmall()
            return
        }
        drawHeader()
        if let r = layout.rungs { drawRungs(r) }
        if let r = layout.best { drawBest(r) }
        if let r = layout.bestLine { drawBestLine(r) }
        if let r = layout.workers { drawWorkers(r) }
        if let r = layout.trials { drawTrials(r) }
        if let r = layout.messages { drawMessages(r) }
        drawFooter()
        switch ui.overlay {
        case .help: drawHelp()
        case .detail(let id): drawDetail(id)
        case .message(let m): drawMessage(m)
        case .confirmKill(let id): drawConfirm(killText(id))
        case .confirmQuit: drawConfirm(quitText, detach: ui.whyDisabled(.detach, model: model) == nil)
        case nil: break
        }
        if g.ascii { foldToASCII() }
    }

    /// ASCII mode draws ASCII only: what text brought in (an ellipsis from cut text, a name in another
    /// script) becomes '~' or '?'.
    mutating func foldToASCII() {
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let c = grid[x, y]
                guard !c.character.isASCII else { continue }
                grid[x, y] = Cell(c.character == "…" ? "~" : "?", c.role)
            }
        }
    }

    // MARK: - Frame pieces

    mutating func drawTooSmall() {
        var lines = [
            "Terminal too small: \(grid.width)x\(grid.height)",
            "ashb-top needs at least \(Layout.minimum.width)x\(Layout.minimum.height)",
            "(resize, or q to quit)",
        ]
        // A question still needs its answer on a small screen.
        switch ui.overlay {
        case .confirmKill(let id): lines.append(killText(id))
        case .confirmQuit: lines.append(quitText)
        default: break
        }
        let y0 = max(0, (grid.height - lines.count) / 2)
        for (i, line) in lines.enumerated() {
            let x = max(0, (grid.width - line.count) / 2)
            grid.put(line, x: x, y: y0 + i, role: i == 0 || i == 3 ? .warning : .normal)
        }
    }

    /// Draws a pane border with its title; the focused pane's title is bracketed.
    mutating func box(_ r: Rect, title: String, focused: Bool = false) {
        guard r.width >= 2, r.height >= 2 else { return }
        let right = r.x + r.width - 1
        let bottom = r.y + r.height - 1
        grid.fill(g.horizontal, x: r.x + 1, y: r.y, count: r.width - 2, role: .border)
        grid.fill(g.horizontal, x: r.x + 1, y: bottom, count: r.width - 2, role: .border)
        for y in (r.y + 1)..<bottom {
            grid[r.x, y] = Cell(g.vertical, .border)
            grid[right, y] = Cell(g.vertical, .border)
        }
        grid[r.x, r.y] = Cell(g.topLeft, .border)
        grid[right, r.y] = Cell(g.topRight, .border)
        grid[r.x, bottom] = Cell(g.bottomLeft, .border)
        grid[right, bottom] = Cell(g.bottomRight, .border)
        let label = focused ? "[ \(title) ]" : " \(title) "
        grid.put(label, x: r.x + 1, y: r.y, role: focused ? .selected : .title, maxWidth: r.width - 2)
    }

    mutating func drawHeader() {
        if let replay = ui.replay { drawReplayTitle(replay) } else { drawTitle() }
        drawCounts()
    }

    /// The first header line of a live run: name, objective, metric, elapsed time, badges.
    mutating func drawTitle() {
        let w = grid.width
        grid.fill(" ", x: 0, y: 0, count: w, role: .header)
        var x = grid.put(" ashb-top ", x: 0, y: 0, role: .header)
        let goal = model.goal == .minimize ? (g.ascii ? "min" : "↓ min") : (g.ascii ? "max" : "↑ max")
        let name = model.runName.isEmpty ? "(waiting for run)" : model.runName
        var badges: [String] = []
        if let reason = model.endedReason { badges.append("ENDED: \(reason)") }
        if model.runPaused { badges.append("PAUSED") }
        if model.run.isIdleOnPausedTrials(now: now) { badges.append("IDLE") }
        if ui.frozen { badges.append("FROZEN") }
        if ui.readOnly { badges.append("REPLAY") }
        let badgeText = badges.map { " \($0) " }.joined(separator: " ")
        let right = w - badgeText.count
        // Elapsed time outside run pauses (what the time budget counts).
        let paused = model.run.pausedSeconds + (model.run.pausedSince.map { max(0, now - $0) } ?? 0)
        let elapsed =
            "elapsed \(formatDuration(max(0, now - paused)))"
            + (paused >= 0.05 ? " (+\(formatDuration(paused)) paused)" : "")
        // When it does not all fit: where the trials run (`on slurm`) says more than the objective's
        // name; then the objective goes, then the run's name is cut (with an ellipsis): the metric, its
        // goal and the elapsed time stay whole.
        let room = max(0, right - x - 2)
        let tail = "\(model.metricName) \(goal) | \(elapsed)"
        var middle = "\(name) | \(model.objective) | \(tail)"
        if middle.count > room, let executor = model.info?.executor {
            middle = "\(name) | on \(Sanitizer.clean(executor, maxColumns: 24)) | \(tail)"
        }
        if middle.count > room {
            let nameRoom = room - tail.count - 3
            middle =
                name.count <= nameRoom
                ? "\(name) | \(tail)"
                : nameRoom >= 8 ? "\(Sanitizer.clean(name, maxColumns: nameRoom)) | \(tail)" : tail
        }
        x = grid.put(middle, x: x + 1, y: 0, role: .header, maxWidth: room)
        var bx = max(x + 1, right)
        for badge in badges {
            bx = grid.put(" \(badge) ", x: bx, y: 0, role: .badge) + 1
        }
    }

    /// The second header line: trials by status, workers, rate, budget.
    mutating func drawCounts() {
        let w = grid.width
        // Each part with a shorter form for when it does not fit whole: a number cut short misleads
        // ("budget 10" of "budget 10% (time …)"), so a part is drawn whole, short, or not at all.
        var parts: [(String, StyleRole, String?)] = [("trials \(model.trials.count):", .normal, nil)]
        for s in TrialStatus.displayOrder where s == .running || model.count(s) > 0 {
            // After the run, a trial left waiting at a rung was not promoted: nothing is pending.
            let label = s == .waiting && model.isEnded ? "not promoted" : s.shortName
            parts.append(("\(s.glyph(ascii: g.ascii))\(label) \(model.count(s))", s.role, nil))
        }
        // Slots above the worker count finish their jobs after a `-`: counted apart, never "busy 2/1".
        let retiring = model.retiringWorkers
        parts.append(
            (
                " workers \(model.busyWorkers - retiring)/\(model.workerCount)"
                    + (retiring > 0 ? " +\(retiring) retiring" : ""), .normal, nil
            ))
        parts.append(
            (" \(formatRate(model.reportsPerSecond(at: now))) rep/s\(model.isEnded ? " avg" : "")", .normal, nil))
        if let budget = model.budgetUsed {
            let pct = clampedInt(budget.fraction * 100, 0, 100)
            parts.append(
                (" budget \(pct)% (\(budget.label))", budget.fraction >= 0.9 ? .warning : .normal, " budget \(pct)%"))
        }
        // After the budget: on a narrow screen the budget is worth more than the sampler's note.
        if let sampler = model.samplerLabel { parts.append((" \(sampler)", .normal, nil)) }
        // The budget is worth more than the rate: when its short form would not fit, the rate goes.
        let budgetAt = parts.firstIndex { $0.2 != nil }
        if let b = budgetAt, let short = parts[b].2 {
            let before = parts[..<b].reduce(1) { $0 + $1.0.count + 1 }
            if before + short.count > w, b >= 1, parts[b - 1].0.hasSuffix("rep/s") || parts[b - 1].0.hasSuffix("avg") {
                parts.remove(at: b - 1)
            }
        }
        var cx = 1
        for (text, role, short) in parts {
            guard let shown = [text, short].compactMap({ $0 }).first(where: { cx + $0.count <= w }) else { break }
            cx = grid.put(shown, x: cx, y: 1, role: role) + 1
        }
    }

    /// The first of `forms` (longest first) that fits `width` columns, or nil: a text with shorter forms
    /// for narrow screens.
    static func longestFitting(_ forms: [String], width: Int) -> String? {
        forms.first { Sanitizer.columns(of: $0) <= width }
    }

    /// The first of `hints` (longest first) that fits the line from `x` on, dimmed; none when none fits.
    mutating func putLongestFitting(_ hints: [String], x: Int, y: Int) {
        if let hint = Self.longestFitting(hints, width: grid.width - x) { grid.put(hint, x: x, y: y, role: .dim) }
    }

    mutating func drawFooter() {
        let y = layout.footer.y
        let w = grid.width
        if ui.editingFilter {
            var x = grid.put("/", x: 0, y: y, role: .title)
            x = grid.put(ui.filter, x: x, y: y, role: .normal, maxWidth: w / 2)
            x = grid.put(String(g.cursor), x: x, y: y, role: .selected)
            if let error = ui.filterError {
                // The list keeps the last filter that parsed: say which, and why the text is not taken.
                // The reason first: on a narrow screen it is what must show (the title names the filter in force).
                let kept = ui.activeFilter.isEmpty ? "no filter" : ui.activeFilter.source
                grid.put(
                    "  not valid: " + Sanitizer.clean("\(error); list keeps \(kept)", maxColumns: w), x: x, y: y,
                    role: .bad, maxWidth: w - x)
            } else {
                // How to end the filter matters most, then examples.
                putLongestFitting(
                    [
                        "  status:run rung>=3 lr<0.01 id:42 words; Enter keep, Esc clear",
                        "  Enter keep, Esc clear; e.g. status:run rung>=3 lr<0.01",
                        "  Enter keep, Esc clear",
                    ], x: x, y: y)
            }
            return
        }
        if let prompt = ui.jumpPrompt {
            drawJumpPrompt(prompt)
            return
        }
        if let flash = ui.flash {
            let x = grid.put(" " + Sanitizer.clean(flash, maxColumns: w), x: 0, y: y, role: .warning)
            // The key's answer stays until the next key: the run going idle meanwhile is said after it.
            if ui.overlay == nil, let idle = idleText(width: w - x - 1) {
                grid.put(idle, x: x + 1, y: y, role: .warning)
            }
            return
        }
        if let replay = ui.replay {
            drawReplayHints(replay)
            return
        }
        let trialPaused = ui.actionTrial(in: model).flatMap { model.trial($0)?.status } == .paused
        // What Enter opens in the focused pane.
        let enterLabel =
            switch ui.focus {
            case .rungs: "its trials"
            case .messages: "read"
            case .trials, .workers: "detail"
            }
        let pause = ("p", trialPaused ? "resume" : "pause", Action.pauseTrial)
        // A key with no action (nil) is handled by the open overlay itself and always works.
        let hints: [(String, String, Action?)]
        switch ui.overlay {
        case .detail:
            hints = [
                ("Esc", "close", nil), ("j/k", "scroll", nil), ("l", ui.logScale ? "linear" : "log scale", nil),
                pause, ("K", "kill", .killTrial), ("q", "quit", .quit), ("?", "help", .help),
            ]
        case .message:
            hints = [("Esc", "close", nil), ("j/k", "scroll", nil), ("q", "quit", .quit), ("?", "help", .help)]
        default:
            hints = [
                // Tab early: on a narrow screen the keys that move between panes matter more than sort.
                ("q", "quit", .quit), ("d", "detach", .detach), ("?", "help", .help), ("Tab", "pane", .nextPane),
                ("Enter", enterLabel, .detail), pause, ("K", "kill", .killTrial),
                ("P", model.runPaused ? "resume run" : "pause run", .pauseRun), ("+/-", "workers", .moreWorkers),
                ("s", "sort", .cycleSort), ("/", "filter", .filter),
                ("f", ui.frozen ? "unfreeze" : "freeze", .freeze),
            ]
        }
        // The filter in force, at the right end: its room is kept before the keys are placed, so that it
        // is never cut (at most half the line; an invalid typed filter's reason is cut there).
        let active = ui.activeFilter.source
        var badge: (text: String, role: StyleRole)?
        if let error = ui.filterError {
            badge = (
                Sanitizer.clean(
                    " filter: \(active.isEmpty ? "none" : active); typed text not valid: \(error) ", maxColumns: w),
                .bad
            )
        } else if !active.isEmpty {
            badge = (Sanitizer.clean(" filter: \(active) ", maxColumns: w), .badge)
        }
        let badgeWidth = min(badge?.text.count ?? 0, w / 2)
        var x = 0
        if ui.overlay == nil, let idle = idleText(width: w) {
            // The run waits on the user: say so first, and which key ends the wait.
            x = grid.put(idle, x: 0, y: y, role: .warning) + 1
        }
        // Only keys that work now are hinted (help lists the others and why).
        for (key, label, action) in hints where action.flatMap({ ui.whyDisabled($0, model: model) }) == nil {
            if x + key.count + label.count + 2 > w - badgeWidth { break }
            x = grid.put(key, x: x, y: y, role: .title)
            x = grid.put(" " + label + " ", x: x, y: y, role: .normal)
        }
        if let badge {
            let start = max(x, w - badge.text.count)
            grid.put(badge.text, x: start, y: y, role: badge.role, maxWidth: w - start)
        }
    }

    /// While the run waits on paused trials alone (`RunState.isIdleOnPausedTrials`): what the footer says
    /// first, the longest form that fits `width`.
    func idleText(width: Int) -> String? {
        guard model.run.isIdleOnPausedTrials(now: now) else { return nil }
        let n = model.count(.paused)
        let which =
            n == 1
            ? "the 1 remaining trial is paused; p on it resumes it"
            : "all \(n) remaining trials are paused; p on one resumes it"
        return Self.longestFitting(
            [
                " idle: \(which) (/ status:paused lists \(n == 1 ? "it" : "them")) ", " idle: \(which) ",
                " idle: \(n) paused; p resumes ",
            ], width: width)
    }

    /// The run's "now": the latest event's time, or the live loop's estimate when it is later.
    var now: Double { max(model.elapsed, ui.clock ?? 0) }

    func killText(_ id: TrialID) -> String {
        let config = model.trial(id)?.configText ?? ""
        let short = config.count > 40 ? String(config.prefix(39)) + g.ellipsis : config
        return "Kill trial \(id) (\(short))? y/N"
    }

    /// The quit question; where `d` detaches, it says so (quitting stops the run, detaching does not).
    var quitText: String {
        ui.whyDisabled(.detach, model: model) == nil
            ? "Quit and stop the run? y/N (d detaches: the run goes on)" : "Quit and stop the run? y/N"
    }

    func formatRate(_ r: Double) -> String {
        r >= 100 ? formatShort(r.rounded()) : formatShort((r * 10).rounded() / 10)
    }
}

/// Renders one frame of the dashboard (see `Renderer.render`).
public func render(model: DashboardModel, ui: UIState, size: Size, options: RenderOptions = RenderOptions())
    -> CellGrid
{
    Renderer.render(model: model, ui: ui, size: size, options: options)
}
