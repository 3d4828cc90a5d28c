import ASHA
import Foundation
import RunLog
import TextSafety

extension Renderer {
    /// The rung occupancy pane: one row per bracket and rung, with a bar whose promoted, waiting
    /// and other parts make the funnel visible.
    mutating func drawRungs(_ r: Rect) {
        let stopping = model.info?.settings.variant == .stopping
        let legend: String
        switch (stopping, g.ascii) {
        case (false, false): legend = "█ promoted ▒ waiting ░ other"
        case (false, true): legend = "#=promoted ==waiting .=other"
        case (true, false): legend = "█ continued ░ stopped/other"
        case (true, true): legend = "#=continued .=stopped/other"
        }
        box(r, title: "Rungs  \(legend)", focused: ui.focus == .rungs)
        let inner = r.inner
        guard inner.height > 1 else { return }
        // Columns as wide as their largest number needs (a 6-digit count must not run into the next),
        // never narrower than the usual layout.
        var rows: [(Int, Int)] = []
        for (b, bracket) in model.rungs.enumerated() {
            for k in bracket.indices { rows.append((b, k)) }
        }
        func numbers(_ b: Int, _ k: Int) -> [Int] {
            let s = model.rungs[b][k]
            return [b, k, s.resource, s.reached, s.promoted, s.running, s.waiting, s.stopped]
        }
        let names = ["b", "rung", "r", "reached", stopping ? "cont" : "promo", "run", "wait", "stop"]
        var widths = [2, 5, 7, 8, 6, 5, 6, 6]
        for (b, k) in rows {
            for (i, n) in numbers(b, k).enumerated() { widths[i] = max(widths[i], String(n).count + 1) }
        }
        let head = zip(names, widths).map { pad($0, $1, right: true) }.joined() + "     cutoff "
        grid.put(head, x: inner.x, y: inner.y, role: .header, maxWidth: inner.width)
        grid.restyle(x: inner.x + head.count, y: inner.y, count: inner.width - head.count, role: .header)
        grid.put("funnel", x: inner.x + head.count, y: inner.y, role: .header, maxWidth: inner.width - head.count)
        let visible = inner.height - 1
        let focused = ui.focus == .rungs
        var top = max(0, min(ui.rungTop, rows.count - visible))
        if focused {
            if ui.selectedRung < top { top = ui.selectedRung }
            if ui.selectedRung >= top + visible { top = ui.selectedRung - visible + 1 }
        }
        let barX = inner.x + head.count
        let barWidth = inner.width - head.count - 1
        for (i, (b, k)) in rows.dropFirst(top).prefix(visible).enumerated() {
            let s = model.rungs[b][k]
            let y = inner.y + 1 + i
            let cutoff = s.cutoff.map { formatShort($0) } ?? "-"
            let selected = focused && top + i == ui.selectedRung
            let cells = zip(numbers(b, k), widths).map { pad(String($0), $1, right: true) }
            let lead: String = selected ? ">" + String(cells[0].dropFirst()) : cells[0]
            let line = lead + cells.dropFirst().joined() + " " + pad(cutoff, 10, right: true)
            grid.put(
                line, x: inner.x, y: y, role: selected ? .selected : (s.running > 0 ? .normal : .dim),
                maxWidth: inner.width)
            if barWidth >= 4 {
                let maxReached = max(1, model.rungs[b].map(\.reached).max() ?? 1)
                drawFunnelBar(x: barX, y: y, width: barWidth, stats: s, scale: maxReached)
            }
        }
        if rows.count - top > visible {
            grid.put(
                " \(rows.count - top - visible) more ", x: inner.x + inner.width - 10, y: r.y + r.height - 1,
                role: .dim)
        }
    }

    private mutating func drawFunnelBar(x: Int, y: Int, width: Int, stats s: RungStats, scale: Int) {
        func cells(_ n: Int) -> Int { clampedInt((Double(width) * Double(n) / Double(scale)).rounded(.up), 0, width) }
        let total = min(width, cells(s.reached))
        let promoted = min(total, cells(s.promoted))
        let waiting = min(total - promoted, cells(s.waiting))
        grid.fill(g.full, x: x, y: y, count: promoted, role: .good)
        grid.fill(g.waiting, x: x + promoted, y: y, count: waiting, role: .warning)
        grid.fill(g.other, x: x + promoted + waiting, y: y, count: total - promoted - waiting, role: .dim)
    }

    /// The workers pane: one line per slot.
    mutating func drawWorkers(_ r: Rect) {
        // On a cluster each busy row says where its job runs (job or step id, node, the wait in the
        // queue), or that the job is still pending; the progress bar makes room.
        let cluster = model.info?.executor != nil
        let pending = cluster ? model.workers.filter { $0.isBusy && $0.placement == nil }.count : 0
        box(
            r,
            title: "Workers \(model.busyWorkers - model.retiringWorkers)/\(model.workerCount) busy"
                + (model.retiringWorkers > 0 ? ", \(model.retiringWorkers) retiring" : "")
                + (pending > 0 ? ", \(pending) pending in the queue" : ""), focused: ui.focus == .workers)
        let inner = r.inner
        guard inner.height > 1 else { return }
        let metricWidth = inner.width >= 110 ? max(11, model.metricName.count + 2) : 11
        let room = inner.width - 28 - 27 - metricWidth - (cluster ? 22 : 0)
        // On a cluster a narrow pane drops the bar (r/target says the same) for the job's cell.
        let barWidth = cluster && room < 8 ? 0 : max(6, min(40, room))
        let head =
            " " + pad("w", 2, right: true) + pad("trial", 7, right: true) + pad("b", 3, right: true)
            + pad("rung", 5, right: true) + pad("r", 8, right: true) + (barWidth > 0 ? "  " : "")
            + pad("progress", barWidth)
            + pad("r/target", 10, right: true) + headerCell(model.metricName, metricWidth, ascii: g.ascii)
            + pad("time", 8, right: true)
            + (cluster ? " job@node queued" : " state")
        grid.fill(" ", x: inner.x, y: inner.y, count: inner.width, role: .header)
        grid.put(head, x: inner.x, y: inner.y, role: .header, maxWidth: inner.width)
        let visible = inner.height - 1
        // When not every slot fits, idle rows go first (the cursor's slot always shows); the rows
        // keep their slot order.
        var order = Array(model.workers.indices)
        if order.count > visible {
            let cursor = ui.focus == .workers ? ui.selectedWorker : -1
            let idle = order.filter { !model.workers[$0].isBusy && $0 != cursor }
            let hide = Set(idle.suffix(min(idle.count, order.count - visible)))
            order.removeAll { hide.contains($0) }
            let busyHidden = order.count > visible ? order.count - visible : 0
            var parts: [String] = []
            if !hide.isEmpty { parts.append("\(hide.count) idle") }
            if busyHidden > 0 { parts.append("\(busyHidden) more") }
            let label = " " + parts.joined(separator: ", ") + " "
            grid.put(label, x: r.x + r.width - label.count - 2, y: r.y + r.height - 1, role: .dim)
        }
        let cursorRow = ui.focus == .workers ? (order.firstIndex(of: ui.selectedWorker) ?? 0) : 0
        let top = max(0, min(cursorRow - visible + 1, order.count - visible))
        for (row, i) in order.enumerated().dropFirst(top).prefix(visible) {
            let w = model.workers[i]
            let y = inner.y + 1 + row - top
            let selected = ui.focus == .workers && i == ui.selectedWorker
            let marker = selected ? ">" : " "
            let gpu = model.info?.devices(worker: i).map { "  gpu " + Sanitizer.clean($0, maxColumns: 24) } ?? ""
            guard let trial = w.trial else {
                let state = (i >= model.workerCount ? "retired" : "idle") + gpu
                grid.put(
                    marker + pad(String(i), 2, right: true) + "      -  " + state, x: inner.x, y: y,
                    role: selected ? .selected : .dim, maxWidth: inner.width)
                continue
            }
            var state = (i >= model.workerCount ? "retiring" : "run") + gpu
            var stateRole: StyleRole = selected ? .selected : .normal
            if cluster {
                let retiring = i >= model.workerCount ? "retiring " : ""
                if let p = w.placement {
                    state = retiring + p.cell
                } else {
                    state = retiring + "pending " + formatDuration(max(0, now - w.started))
                    if !selected { stateRole = .warning }
                }
            }
            let fixed =
                marker + pad(String(i), 2, right: true) + pad(String(trial), 7, right: true)
                + pad(String(w.bracket), 3, right: true) + pad(String(w.rung), 5, right: true)
                + pad("\(w.fromResource)\(g.arrow)\(w.toResource)", 8, right: true) + (barWidth > 0 ? "  " : "")
            var x = grid.put(fixed, x: inner.x, y: y, role: selected ? .selected : .normal, maxWidth: inner.width)
            let span = max(1, Double(w.toResource) - Double(w.fromResource))
            let fraction = (Double(w.resource) - Double(w.fromResource)) / span
            drawProgress(x: x, y: y, width: barWidth, fraction: fraction)
            x += barWidth
            let rest =
                pad("\(w.resource)/\(w.toResource)", 10, right: true)
                + pad(metricText(w.metric), metricWidth, right: true)
                + pad(formatDuration(max(0, now - w.started)), 8, right: true) + " "
            x = grid.put(rest, x: x, y: y, role: selected ? .selected : .normal, maxWidth: inner.x + inner.width - x)
            grid.put(state, x: x, y: y, role: stateRole, maxWidth: max(0, inner.x + inner.width - x))
        }
    }

    /// A progress bar in brackets; partial blocks in UTF-8, '#' and '.' in ASCII.
    mutating func drawProgress(x: Int, y: Int, width: Int, fraction: Double) {
        guard width >= 3 else { return }
        let inner = width - 2
        let f = max(0, min(1, fraction.isFinite ? fraction : 0))
        grid.put("[", x: x, y: y, role: .dim)
        grid.put("]", x: x + width - 1, y: y, role: .dim)
        if g.ascii {
            let n = clampedInt(f * Double(inner), 0, inner)
            grid.fill("#", x: x + 1, y: y, count: n, role: .good)
            grid.fill(".", x: x + 1 + n, y: y, count: inner - n, role: .dim)
            return
        }
        let eighths = clampedInt(f * Double(inner * 8), 0, inner * 8)
        let whole = eighths / 8
        grid.fill(g.full, x: x + 1, y: y, count: whole, role: .good)
        if whole < inner, eighths % 8 > 0 {
            grid[x + 1 + whole, y] = Cell(g.partials[eighths % 8 - 1], .good)
        }
    }

    /// The best configuration: value, where and when it was found (a best is judged at the highest
    /// resource any rung decision has seen, so a later best may be numerically worse than an earlier
    /// one at a lower resource), every hyperparameter, and the best value over time with its axes.
    mutating func drawBest(_ r: Rect) {
        box(r, title: "Best \(model.metricName)")
        let inner = r.inner
        guard inner.height > 0, inner.width > 4 else { return }
        guard let best = model.best else {
            grid.put(" no result yet", x: inner.x, y: inner.y, role: .dim)
            return
        }
        var y = inner.y
        let bottom = inner.y + inner.height
        grid.put(
            " \(starGlyph) \(formatShort(best.value))  trial \(best.trial)", x: inner.x, y: y, role: .good,
            maxWidth: inner.width)
        y += 1
        if y < bottom {
            grid.put(
                " judged at \(bestRungText(best))  found \(formatDuration(best.time))", x: inner.x, y: y,
                maxWidth: inner.width)
            y += 1
        }
        let entries = model.trial(best.trial)?.config.entries ?? []
        let room = bottom - y
        // The plot wants 4 rows (3 of curve, 1 of time axis) after the hyperparameters.
        let plotRows = room - entries.count >= 4 ? room - entries.count : (room >= 6 ? 0 : -1)
        let paramBottom = plotRows > 0 ? bottom - plotRows : bottom
        for (i, e) in entries.enumerated() where y < paramBottom {
            let name = Sanitizer.clean(e.name, maxColumns: 24)
            let value = Sanitizer.clean(e.value.description, maxColumns: 40)
            if y == paramBottom - 1, i < entries.count - 1 {
                let rest = entries[i...].map { "\(Sanitizer.clean($0.name, maxColumns: 24))=\($0.value)" }
                grid.put(
                    " " + Sanitizer.clean(rest.joined(separator: " "), maxColumns: inner.width - 1), x: inner.x,
                    y: y, maxWidth: inner.width)
            } else {
                grid.put(" \(name) = \(value)", x: inner.x, y: y, maxWidth: inner.width)
            }
            y += 1
        }
        if plotRows >= 4 {
            drawBestPlot(Rect(x: inner.x, y: bottom - plotRows, width: inner.width, height: plotRows))
        }
    }

    /// "rung 3 (r=27)", or "r=27" when the trial's rung is not known.
    func bestRungText(_ best: BestRecord) -> String {
        let rung = model.trial(best.trial).flatMap { model.lastDecision(of: $0) { $0.resource == best.resource } }?.rung
        return rung.map { "rung \($0) (r=\(best.resource))" } ?? "r=\(best.resource)"
    }

    var starGlyph: String { g.ascii ? "*" : "★" }

    /// The best configuration in one line, for screens with no room for its pane.
    mutating func drawBestLine(_ r: Rect) {
        grid.fill(" ", x: r.x, y: r.y, count: r.width, role: .normal)
        guard let best = model.best else {
            grid.put(
                " \(starGlyph) best \(model.metricName): no result yet", x: r.x, y: r.y, role: .dim, maxWidth: r.width)
            return
        }
        let x = grid.put(
            " \(starGlyph) best \(formatShort(best.value)) trial \(best.trial) at \(bestRungText(best)) ", x: r.x,
            y: r.y,
            role: .good, maxWidth: r.width)
        // Whole `name=value` items only, then "…" when some do not fit: a name cut short, or one without
        // its value, reads as a different parameter.
        let entries = model.trial(best.trial)?.config.entries ?? []
        let items = entries.map {
            "\(Sanitizer.clean($0.name, maxColumns: 24))=\(Sanitizer.clean($0.value.description, maxColumns: 40))"
        }
        let room = r.x + r.width - x
        var text = ""
        for (i, item) in items.enumerated() {
            let candidate = text.isEmpty ? item : text + " " + item
            let needsMore = i < items.count - 1
            if candidate.count + (needsMore ? 2 : 0) > room {
                text += text.isEmpty ? "" : " "
                text += g.ellipsis
                break
            }
            text = candidate
        }
        grid.put(text, x: x, y: r.y, maxWidth: room)
    }

    /// Best value against run time: value labels on the left, a time axis below.
    private mutating func drawBestPlot(_ r: Rect) {
        let series = model.bestSeries.filter { $0.value.isFinite }
        guard let first = series.first, r.width > 14 else { return }
        let values = series.map(\.value)
        let lo = values.min() ?? first.value
        let hi = values.max() ?? first.value
        let end = max(now, series.last?.time ?? 0, first.time + 1e-9)
        // A step line: each best holds until the next one.
        var points: [(Double, Double)] = []
        for (i, p) in series.enumerated() {
            if i > 0 { points.append((p.time, series[i - 1].value)) }
            points.append((p.time, p.value))
        }
        points.append((end, series[series.count - 1].value))
        let labelWidth = max(formatShort(hi).count, formatShort(lo).count, 4) + 1
        let plotRect = Rect(x: r.x + labelWidth + 1, y: r.y, width: r.width - labelWidth - 2, height: r.height - 1)
        let span = hi - lo
        let plot = Plot(
            rect: plotRect, xMin: 0, xMax: end, yMin: span > 0 ? lo : lo - 1, yMax: span > 0 ? hi : hi + 1,
            logX: false, ascii: g.ascii)
        grid.put(pad(formatShort(hi), labelWidth, right: true), x: r.x, y: r.y, role: .dim)
        grid.put(pad(formatShort(lo), labelWidth, right: true), x: r.x, y: plotRect.y + plotRect.height - 1, role: .dim)
        for yy in plotRect.y..<(plotRect.y + plotRect.height) {
            grid[plotRect.x - 1, yy] = Cell(g.ascii ? "|" : "┤", .dim)
        }
        plot.draw(points, into: &grid, role: .good)
        let axisY = r.y + r.height - 1
        grid.put("0", x: plotRect.x, y: axisY, role: .dim)
        let endLabel = formatDuration(end)
        grid.put(endLabel, x: plotRect.x + plotRect.width - endLabel.count, y: axisY, role: .dim)
        let mid = " time "
        grid.put(mid, x: plotRect.x + (plotRect.width - mid.count) / 2, y: axisY, role: .dim)
    }

    /// The messages pane, newest first.
    mutating func drawMessages(_ r: Rect) {
        box(r, title: "Messages", focused: ui.focus == .messages)
        let inner = r.inner
        guard inner.height > 0 else { return }
        // The program's notices (about the log, in a replay) come first, then the run's messages.
        let total = ui.notices.count + model.messageCount
        let focused = ui.focus == .messages
        var top = max(0, min(ui.messageTop, total - 1))
        if focused {
            if ui.selectedMessage < top { top = ui.selectedMessage }
            if ui.selectedMessage >= top + inner.height { top = ui.selectedMessage - inner.height + 1 }
        }
        let recent = model.recentMessages(max(0, top + inner.height - ui.notices.count))
        let shown = (ui.notices.reversed() + recent).dropFirst(top).prefix(inner.height)
        if shown.isEmpty {
            grid.put(" none", x: inner.x, y: inner.y, role: .dim)
            return
        }
        for (i, m) in shown.enumerated() {
            let y = inner.y + i
            let selected = focused && top + i == ui.selectedMessage
            if selected { grid.fill(" ", x: inner.x, y: y, count: inner.width, role: .selected) }
            let x = grid.put(
                (selected ? ">" : " ") + pad(formatDuration(m.time), 7, right: true) + " ", x: inner.x, y: y,
                role: selected ? .selected : .dim)
            let room = inner.x + inner.width - x
            // A line that does not fit ends in an ellipsis: Enter (in this pane) opens it whole.
            let text = m.text.count > room && room > 1 ? String(m.text.prefix(room - 1)) + g.ellipsisOne : m.text
            grid.put(text, x: x, y: y, role: selected ? .selected : m.role, maxWidth: room)
        }
    }
}
