import ASHA
import RunLog
import TextSafety

extension Renderer {
    /// A blank box centred on the screen; returns its rectangle.
    mutating func overlayBox(width: Int, height: Int, title: String) -> Rect {
        let r = overlayRect(width: width, height: height)
        grid.clear(r)
        box(r, title: title, focused: true)
        return r
    }

    /// Where `overlayBox` puts a box of that size: centred, at most the screen less a column or line
    /// on each side.
    func overlayRect(width: Int, height: Int) -> Rect {
        let w = min(width, grid.width - 2)
        let h = min(height, grid.height - 2)
        return Rect(x: (grid.width - w) / 2, y: (grid.height - h) / 2, width: w, height: h)
    }

    /// "Kill trial 17 (...)? y/N" and the like.
    mutating func drawConfirm(_ question: String, detach: Bool = false) {
        let text = Sanitizer.clean(question, maxColumns: grid.width - 6)
        let r = overlayBox(width: max(44, text.count + 4), height: 5, title: "Confirm")
        grid.put(text, x: r.x + 2, y: r.y + 1, role: .warning, maxWidth: r.width - 3)
        let keys = detach ? "y = yes, d = detach, any other key = no" : "y = yes, any other key = no"
        grid.put(keys, x: r.x + 2, y: r.y + 3, role: .dim, maxWidth: r.width - 3)
    }

    /// The help overlay, generated from the keymap. Keys that ask first are marked "(asks)"; disabled
    /// keys are dimmed and say why (inline in one column, grouped below the list in two).
    mutating func drawHelp() {
        let bindings = ui.keyMap.bindings
        // The box is as tall as its content (the key list, the disabled keys, a blank line, the statuses'
        // legend), at most the screen less a line above and below.
        let most = overlayRect(width: grid.width - 2, height: grid.height - 2).inner
        let reasons = bindings.map { ui.whyDisabled($0.action, model: model) }
        var groups: [(String, [String])] = []
        for (b, reason) in zip(bindings, reasons) {
            guard let reason else { continue }
            if let i = groups.firstIndex(where: { $0.0 == reason }) {
                groups[i].1.append(b.keys[0].description)
            } else {
                groups.append((reason, [b.keys[0].description]))
            }
        }
        let oneColumn = bindings.count <= most.height - 1
        let rows = oneColumn ? bindings.count : (bindings.count + 1) / 2
        let texts = bindings.indices.map { i in
            (
                keys: bindings[i].keyNames,
                rest: bindings[i].description + (bindings[i].dangerous ? " (asks)" : "")
                    + (oneColumn ? reasons[i].map { " - " + $0 } ?? "" : "")
            )
        }
        // Each column has its own key width (at least 5 wide, at most 16) and is as wide as its longest
        // line: the second column gets what it needs (up to half the box), the first what is left; a line
        // that does not fit ends in an ellipsis.
        let columns = oneColumn ? [bindings.indices] : [0..<rows, rows..<bindings.count]
        let keyWidths = columns.map { c in min(16, max(5, c.map { texts[$0].keys.count }.max() ?? 5)) }
        let needs = columns.indices.map { k in
            columns[k].map { keyWidths[k] + 1 + texts[$0].rest.count }.max() ?? 0
        }
        let gap = 2
        // As wide as the columns (and at least 60, for the legend and the disabled keys' lines).
        let width = min(grid.width - 2, max(60, needs.reduce(0, +) + (oneColumn ? 0 : gap)) + 4)
        let legend = statusLegend(width: overlayRect(width: width, height: 3).inner.width - 2)
        let content = rows + (oneColumn ? 0 : groups.count) + 1 + legend.count
        let r = overlayBox(width: width, height: min(grid.height - 2, content + 2), title: "Help  (Esc closes)")
        let inner = r.inner
        let available = inner.width - 2
        var starts = [0]
        if !oneColumn {
            let half = available / 2
            if needs[0] + gap <= half && needs[1] <= available - half {
                starts.append(half)
            } else if needs[0] + gap + needs[1] <= available {
                starts.append(available - needs[1])
            } else {
                starts.append(available - min(needs[1], available - half))
            }
        }
        // On a screen too short for every key, the last line says so instead of a key.
        let shown = rows <= inner.height ? rows : max(0, inner.height - 1)
        if shown < rows {
            grid.put(
                "\(g.ellipsis) more keys: a taller terminal shows them all", x: inner.x + 1, y: inner.y + shown,
                role: .dim, maxWidth: inner.width - 1)
        }
        for (k, column) in columns.enumerated() {
            let width = (k + 1 < starts.count ? starts[k + 1] - gap : available) - starts[k]
            for (row, i) in column.enumerated() where row < shown {
                let b = bindings[i]
                var text = pad(texts[i].keys, keyWidths[k]) + " " + texts[i].rest
                if text.count > width { text = String(text.prefix(max(0, width - 1))) + g.ellipsisOne }
                let role: StyleRole = reasons[i] == nil ? (b.dangerous ? .warning : .normal) : .dim
                grid.put(text, x: inner.x + 1 + starts[k], y: inner.y + row, role: role, maxWidth: width)
            }
        }
        var y = inner.y + rows
        if !oneColumn {
            for (reason, keys) in groups where y < inner.y + inner.height - 1 {
                grid.put(
                    "disabled: \(keys.joined(separator: " ")) - \(reason)", x: inner.x + 1, y: y, role: .dim,
                    maxWidth: inner.width - 1)
                y += 1
            }
        }
        // The statuses' legend on the last lines.
        let first = max(y, inner.y + inner.height - legend.count)
        for (i, line) in legend.enumerated() where first + i < inner.y + inner.height {
            grid.put(line, x: inner.x + 1, y: first + i, role: .dim, maxWidth: inner.width - 1)
        }
    }

    /// The statuses' legend in `width` columns, wrapped between statuses (never in a word).
    func statusLegend(width: Int) -> [String] {
        var lines = ["Statuses:"]
        for s in TrialStatus.displayOrder {
            let item = "\(s.glyph(ascii: g.ascii)) \(s.name)"
            if lines[lines.count - 1].count + 2 + item.count <= width {
                lines[lines.count - 1] += (lines[lines.count - 1] == "Statuses:" ? " " : "  ") + item
            } else {
                lines.append("          " + item)
            }
        }
        return lines
    }

    /// The learning curve's title in `width` columns: the long form, else a short one, else the mark's
    /// meaning alone (a long metric name at 80 columns lost the title's end).
    static func curveTitle(metric: String, scale: String, mark: Character, width: Int) -> String {
        longestFitting(
            [
                " learning curve: \(metric) (\(scale)) vs resource r (log); \(mark) = rung cutoff",
                " curve: \(metric) (\(scale)) vs r (log); \(mark) = cutoff",
            ], width: width) ?? " \(mark) = rung cutoff"
    }

    /// The trial detail overlay: status (why it fails, why it waits), configuration, the learning
    /// curve against the rung cutoffs, and one line per rung with its outcome and time.
    mutating func drawDetail(_ id: TrialID) {
        let r = overlayBox(
            width: grid.width - 4, height: grid.height - 2, title: "Trial \(id)  (Esc closes, l log scale)")
        let inner = r.inner
        guard let t = model.trial(id), inner.height > 2 else {
            grid.put(" unknown trial", x: inner.x, y: inner.y, role: .dim)
            return
        }
        var y = inner.y
        let bottom = inner.y + inner.height
        let rung = t.highestRung.map { "rung \($0)" } ?? "no rung yet"
        var x = grid.put(" \(t.status.glyph(ascii: g.ascii)) \(statusWord(t))", x: inner.x, y: y, role: t.status.role)
        grid.put(
            "  bracket \(t.bracket)  \(rung)  r=\(t.resource)  \(model.metricName) \(metricText(t.lastMetric))", x: x,
            y: y, maxWidth: inner.x + inner.width - x)
        y += 1
        // Why it failed, whole (up to a third of the box), or what it waits for.
        var why: [(String, StyleRole)] = []
        if let failure = t.failureReason {
            why = wrapHard("failed: " + failure, width: inner.width - 2).map { ($0, .bad) }
        } else if t.status == .waiting {
            why = wrapHard(waitingText(t), width: inner.width - 2).map { ($0, .warning) }
        }
        let whyRoom = max(1, inner.height / 2 - 2)
        for (i, (line, role)) in why.prefix(whyRoom).enumerated() {
            let cut = i == whyRoom - 1 && why.count > whyRoom
            grid.put(" " + line + (cut ? g.ellipsisOne : ""), x: inner.x, y: y, role: role, maxWidth: inner.width)
            y += 1
        }
        for line in wrap(t.configText, width: inner.width - 2).prefix(3) {
            grid.put(" " + line, x: inner.x, y: y, role: .normal, maxWidth: inner.width)
            y += 1
        }
        if let sample = t.sampleText {
            // Wrapped on words (a copy's reason takes two lines at 80 columns), at most three lines.
            for line in wrap(sample, width: inner.width - 2).prefix(3) {
                grid.put(" " + line, x: inner.x, y: y, role: .dim, maxWidth: inner.width - 1)
                y += 1
            }
        }
        if let w = t.worker, w < model.workers.count, let slot = Optional(model.workers[w]), slot.trial == id {
            let place =
                slot.placement.map { "  \($0.detail)" + jobCount(t) }
                ?? (model.info?.executor != nil ? "  pending in the queue" : "")
            grid.put(
                " worker \(w): rung \(slot.rung) (\(slot.fromResource)\(g.arrow)\(slot.toResource)) r=\(slot.resource)"
                    + place, x: inner.x, y: y, role: .good, maxWidth: inner.width)
            y += 1
        } else if let p = model.placement(of: t) {
            grid.put(" last job: \(p.detail)" + jobCount(t), x: inner.x, y: y, role: .dim, maxWidth: inner.width)
            y += 1
        }
        let lines = rungLines(t).flatMap { line in
            wrapHard(line.0, width: inner.width - 4).enumerated().map {
                ($0.offset == 0 ? $0.element : "  " + $0.element, line.1)
            }
        }
        let remaining = bottom - y
        let plotHeight = max(0, min(12, remaining - 3 - min(lines.count, max(2, remaining / 3))))
        if plotHeight >= 3, t.curveCount >= 1 {
            let scale = ui.logScale ? (curveAllowsLog(t) ? "log" : "linear: values not all > 0") : "linear"
            grid.put(
                Self.curveTitle(metric: model.metricName, scale: scale, mark: g.cutoffMark, width: inner.width),
                x: inner.x, y: y, role: .header, maxWidth: inner.width)
            y += 1
            drawCurve(t, Rect(x: inner.x + 11, y: y, width: inner.width - 13, height: plotHeight))
            y += plotHeight + 1
        }
        // The last lines of the trial's standard error, at the bottom of the overlay.
        let output = ui.detailOutput.suffix(max(0, min(6, (bottom - y - 3) / 2)))
        let listBottom = bottom - (output.isEmpty ? 0 : output.count + 1)
        if !output.isEmpty {
            grid.put(" stderr (last lines)", x: inner.x, y: listBottom, role: .header, maxWidth: inner.width)
            for (i, line) in output.enumerated() {
                grid.put(
                    " " + Sanitizer.clean(line, maxColumns: 512), x: inner.x, y: listBottom + 1 + i, role: .dim,
                    maxWidth: inner.width)
            }
        }
        x = grid.put(" rungs", x: inner.x, y: y, role: .header)
        y += 1
        if lines.isEmpty { grid.put(" no decision yet", x: inner.x, y: y, role: .dim) }
        let visible = max(0, listBottom - y)
        let top = max(0, min(ui.detailTop, lines.count - visible))
        for (i, line) in lines.dropFirst(top).prefix(visible).enumerated() {
            grid.put(" " + line.0, x: inner.x, y: y + i, role: line.1, maxWidth: inner.width)
        }
        if lines.count > visible { grid.put(" (j/k scroll)", x: x, y: y - 1, role: .dim) }
    }

    /// ` (3 jobs on the cluster so far)` after a trial's placement, when it had more than one.
    private func jobCount(_ t: TrialRecord) -> String {
        t.placements > 1 ? " (\(t.placements) jobs on the cluster so far)" : ""
    }

    /// A message of the messages pane, whole.
    mutating func drawMessage(_ m: Message) {
        let r = overlayBox(width: grid.width - 4, height: grid.height - 2, title: "Message  (Esc closes)")
        let inner = r.inner
        grid.put(" at \(formatDuration(m.time))", x: inner.x, y: inner.y, role: .dim, maxWidth: inner.width)
        let lines = wrapHard(m.text, width: inner.width - 2)
        let visible = max(0, inner.height - 2)
        let top = max(0, min(ui.detailTop, lines.count - visible))
        for (i, line) in lines.dropFirst(top).prefix(visible).enumerated() {
            grid.put(" " + line, x: inner.x, y: inner.y + 2 + i, role: m.role, maxWidth: inner.width)
        }
    }

    /// What a waiting trial waits for, with its rank and the cutoff as they are now.
    func waitingText(_ t: TrialRecord) -> String {
        guard let k = t.highestRung, let value = t.rungValue else { return "waiting" }
        let eta = max(2, model.info?.settings.reductionFactor ?? 3)
        let (rank, n) = currentRank(of: t, rung: k)
        let top = n / eta
        let cutoff =
            model.rungs.indices.contains(t.bracket) && model.rungs[t.bracket].indices.contains(k)
            ? model.rungs[t.bracket][k].cutoff : nil
        let now =
            "at rung \(k) with \(formatShort(value)): rank \(rank) of \(n) now (promotable: rank <= \(n)/\(eta) = \(top))"
            + (cutoff.map { ", cutoff \(formatShort($0))" } ?? ", no cutoff yet")
        if model.isEnded {
            return "not promoted: the run ended while it waited \(now)"
        }
        if rank <= top {
            return "waits for a free worker to promote it (it is within the top 1/\(eta)) \(now)"
        }
        return "waits for rung \(k) to grow: it is promoted once it ranks within the top 1/\(eta) \(now)"
    }

    /// The trial's rank (1-based, ties by id) among the values recorded at rung `k` of its bracket, and
    /// the rung's size, from every trial's decisions (one pass; drawn only in the detail view).
    func currentRank(of t: TrialRecord, rung k: Int) -> (Int, Int) {
        guard let mine = t.rungValue else { return (0, 0) }
        var n = 0
        var better = 0
        for other in model.trials where other.bracket == t.bracket && (other.highestRung ?? -1) >= k {
            guard let v = model.lastDecision(of: other, where: { $0.rung == k && $0.action != .promote })?.value else {
                continue
            }
            n += 1
            if other.id != t.id, model.goal.isBetter(v, than: mine) || (v == mine && other.id < t.id) { better += 1 }
        }
        return (better + 1, max(n, 1))
    }

    /// One line per rung: when the trial reported there, its value, rank and the cutoff at the report,
    /// and the outcome (a wait and the promotion that ended it are one line).
    func rungLines(_ t: TrialRecord) -> [(String, StyleRole)] {
        var out: [(String, StyleRole)] = []
        var openWait: (line: Int, decision: Decision, time: String)?
        for (d, at) in model.decisionHistory(of: t) {
            let time = formatDuration(at)
            if d.action == .promote, let w = openWait {
                out[w.line] = (decisionBase(w.decision, time: w.time) + " \(g.arrow) promoted at \(time)", .good)
                openWait = nil
                continue
            }
            var line = decisionBase(d, time: time) + " \(g.arrow) " + outcomeText(d)
            let role: StyleRole
            switch d.action {
            case .stop: role = .bad
            case .wait:
                role = .normal
                openWait = (out.count, d, time)
                if model.isEnded, t.status == .waiting {
                    line = decisionBase(d, time: time) + " \(g.arrow) not promoted (the run ended)"
                }
            default: role = .good
            }
            out.append((line, role))
        }
        return out
    }

    private func curveAllowsLog(_ t: TrialRecord) -> Bool {
        model.curve(of: t).allSatisfy { !$0.value.isFinite || $0.value > 0 }
    }

    /// The learning curve scaled to the trial's own values; cutoffs are marks, clipped to the edge
    /// (as ↑/↓, ASCII ^/v) when outside the range.
    private mutating func drawCurve(_ t: TrialRecord, _ rect: Rect) {
        let points = model.curve(of: t).map { (Double($0.resource), $0.value) }
        let cutoffs = model.decisions(of: t).compactMap { d in d.cutoff.map { (Double(d.resource), $0) } }
        let ys = points.map(\.1).filter(\.isFinite)
        let xs = (points + cutoffs).map(\.0)
        guard var yLo = ys.min(), var yHi = ys.max(), let xHi = xs.max() else { return }
        let logY = ui.logScale && curveAllowsLog(t)
        if yHi == yLo {
            // One value (or all equal): half its size either side (±0.5 around 0), so a small error
            // does not get an axis running into negative numbers.
            let pad = yLo == 0 ? 0.5 : abs(yLo) / 2
            yLo = logY ? yLo / 2 : yLo - pad
            yHi = logY ? yHi * 2 : yHi + pad
        }
        let xLo = max(1, xs.min() ?? 1)
        let plot = Plot(
            rect: rect, xMin: xLo, xMax: max(xHi, xLo + 1), yMin: yLo, yMax: yHi,
            logX: xLo >= 1 && xHi / xLo >= 4, ascii: g.ascii, logY: logY)
        grid.put(pad(formatShort(yHi), 9, right: true), x: rect.x - 10, y: rect.y, role: .dim)
        grid.put(pad(formatShort(yLo), 9, right: true), x: rect.x - 10, y: rect.y + rect.height - 1, role: .dim)
        for yy in rect.y..<(rect.y + rect.height) { grid[rect.x - 1, yy] = Cell(g.ascii ? "|" : "┤", .dim) }
        grid.fill(g.horizontal, x: rect.x, y: rect.y + rect.height, count: rect.width, role: .dim)
        grid.put("r=\(formatShort(xLo))", x: rect.x, y: rect.y + rect.height, role: .dim)
        let label = "r=\(formatShort(max(xHi, xLo + 1)))"
        grid.put(label, x: rect.x + rect.width - label.count, y: rect.y + rect.height, role: .dim)
        plot.draw(points, into: &grid, role: .good)
        for (cx, cy) in cutoffs {
            if cy > yHi {
                plot.mark(cx, yHi, g.ascii ? "^" : "↑", into: &grid, role: .warning)
            } else if cy < yLo {
                plot.mark(cx, yLo, g.ascii ? "v" : "↓", into: &grid, role: .warning)
            } else {
                plot.mark(cx, cy, g.cutoffMark, into: &grid, role: .warning)
            }
        }
    }

    /// "rung 2 (r=9) at 1:03: 0.213, rank 5 of 12, cutoff 0.198"
    func decisionBase(_ d: Decision, time: String) -> String {
        let cutoff = d.cutoff.map { "cutoff \(formatShort($0))" } ?? "no cutoff yet"
        let bracket = model.rungs.count > 1 ? "bracket \(d.bracket) " : ""
        return "\(bracket)rung \(d.rung) (r=\(d.resource)) at \(time): \(formatShort(d.value)), "
            + "rank \(d.rank) of \(d.rungSize), \(cutoff)"
    }

    /// What the decision did, and why.
    func outcomeText(_ d: Decision) -> String {
        switch (d.action, d.reason) {
        case (.continue, _): return "continued (\(reasonText(d.reason)))"
        case (.stop, _): return "stopped (\(reasonText(d.reason)))"
        case (.wait, .withinCutoff): return "waited for a free worker (\(reasonText(d.reason)))"
        case (.wait, _): return "waited for the rung to grow (\(reasonText(d.reason)))"
        case (.promote, _): return "promoted"
        case (.complete, _): return "completed (top rung)"
        }
    }

    /// Why, in the run's own η ("within the top 1/3", "fewer than 3 entries").
    private func reasonText(_ reason: Decision.Reason) -> String {
        let eta = max(2, model.info?.settings.reductionFactor ?? 3)
        switch reason {
        case .withinCutoff: return "within the top 1/\(eta)"
        case .worseThanCutoff: return "worse than the cutoff"
        case .tooFewEntries: return "fewer than \(eta) entries"
        case .nonFiniteValue: return "non-finite value"
        case .topRung: return "top rung"
        }
    }

    /// Splits `text` into lines of `width` columns, at spaces where it can and inside long words
    /// where it must (nothing is lost).
    func wrapHard(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for line in wrap(text, width: width) {
            var rest = Substring(line)
            while rest.count > width {
                lines.append(String(rest.prefix(width)))
                rest = rest.dropFirst(width)
            }
            lines.append(String(rest))
        }
        return lines
    }

    /// Splits `text` at spaces into lines of at most `width` columns.
    func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
