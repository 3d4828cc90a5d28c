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
        let head = " b rung      r reached \(stopping ? " cont" : "promo")  run  wait  stop     cutoff "
        grid.put(head, x: inner.x, y: inner.y, role: .header, maxWidth: inner.width)
        grid.restyle(x: inner.x + head.count, y: inner.y, count: inner.width - head.count, role: .header)
        grid.put("funnel", x: inner.x + head.count, y: inner.y, role: .header, maxWidth: inner.width - head.count)
        var rows: [(Int, Int)] = []
        for (b, bracket) in model.rungs.enumerated() {
            for k in bracket.indices { rows.append((b, k)) }
        }
        let visible = inner.height - 1
        let top = max(0, min(ui.rungTop, rows.count - visible))
        let barX = inner.x + head.count
        let barWidth = inner.width - head.count - 1
        for (i, (b, k)) in rows.dropFirst(top).prefix(visible).enumerated() {
            let s = model.rungs[b][k]
            let y = inner.y + 1 + i
            let cutoff = s.cutoff.map { formatShort($0) } ?? "-"
            let line =
                pad(String(b), 2, right: true) + pad(String(k), 5, right: true)
                + pad(String(s.resource), 7, right: true)
                + pad(String(s.reached), 8, right: true) + pad(String(s.promoted), 6, right: true)
                + pad(String(s.running), 5, right: true) + pad(String(s.waiting), 6, right: true)
                + pad(String(s.stopped), 6, right: true) + " " + pad(cutoff, 10, right: true)
            grid.put(line, x: inner.x, y: y, role: s.running > 0 ? .normal : .dim, maxWidth: inner.width)
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
        box(r, title: "Workers \(model.busyWorkers)/\(model.workerCount) busy", focused: ui.focus == .workers)
        let inner = r.inner
        guard inner.height > 1 else { return }
        let barWidth = max(6, min(40, inner.width - 28 - 38))
        let head =
            " " + pad("w", 2, right: true) + pad("trial", 7, right: true) + pad("b", 3, right: true)
            + pad("rung", 5, right: true) + pad("r", 8, right: true) + "  " + pad("progress", barWidth)
            + pad("r/target", 10, right: true) + headerCell(model.metricName, 11) + pad("time", 8, right: true)
            + " state"
        grid.fill(" ", x: inner.x, y: inner.y, count: inner.width, role: .header)
        grid.put(head, x: inner.x, y: inner.y, role: .header, maxWidth: inner.width)
        let visible = inner.height - 1
        // When not every slot fits, busy slots come first (the cursor's slot always shows).
        var order = Array(model.workers.indices)
        if order.count > visible {
            order.sort { a, b in
                let cursor = ui.focus == .workers ? ui.selectedWorker : -1
                let ka = (model.workers[a].isBusy || a == cursor) ? 0 : 1
                let kb = (model.workers[b].isBusy || b == cursor) ? 0 : 1
                return ka != kb ? ka < kb : a < b
            }
            let label = " \(order.count - visible) more "
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
            let state = (i >= model.workerCount ? "retiring" : "run") + gpu
            let fixed =
                marker + pad(String(i), 2, right: true) + pad(String(trial), 7, right: true)
                + pad(String(w.bracket), 3, right: true) + pad(String(w.rung), 5, right: true)
                + pad("\(w.fromResource)\(g.arrow)\(w.toResource)", 8, right: true) + "  "
            var x = grid.put(fixed, x: inner.x, y: y, role: selected ? .selected : .normal, maxWidth: inner.width)
            let span = max(1, Double(w.toResource) - Double(w.fromResource))
            let fraction = (Double(w.resource) - Double(w.fromResource)) / span
            drawProgress(x: x, y: y, width: barWidth, fraction: fraction)
            x += barWidth
            let rest =
                pad("\(w.resource)/\(w.toResource)", 10, right: true) + pad(metricText(w.metric), 11, right: true)
                + pad(formatDuration(max(0, now - w.started)), 8, right: true) + " " + state
            grid.put(rest, x: x, y: y, role: selected ? .selected : .normal, maxWidth: inner.x + inner.width - x)
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

    /// The best configuration: value, where and when it was found, every hyperparameter, and a
    /// best-so-far sparkline.
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
        let star = g.ascii ? "*" : "★"
        grid.put(
            " \(star) \(formatShort(best.value))  trial \(best.trial)", x: inner.x, y: y, role: .good,
            maxWidth: inner.width)
        y += 1
        let rung = model.trial(best.trial)?.highestRung.map { "rung \($0) " } ?? ""
        if y < bottom {
            grid.put(
                " \(rung)r=\(best.resource)  found at \(formatDuration(best.time))", x: inner.x, y: y,
                maxWidth: inner.width)
            y += 1
        }
        let entries = model.trial(best.trial)?.config.entries ?? []
        let sparkRow = inner.height >= 4 ? bottom - 1 : nil
        let paramBottom = sparkRow ?? bottom
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
        if let row = sparkRow { drawSparkline(x: inner.x + 1, y: row, width: inner.width - 2) }
    }

    /// The best-so-far series over event time as one row of levels (taller is better).
    private mutating func drawSparkline(x: Int, y: Int, width: Int) {
        let series = model.bestSeries
        guard width > 0, let first = series.first, model.elapsed > 0 else { return }
        let values = series.map(\.value).filter(\.isFinite)
        guard let lo = values.min(), let hi = values.max() else { return }
        let span = hi - lo
        var j = 0
        var current: Double?
        for c in 0..<width {
            let t = model.elapsed * Double(c + 1) / Double(width)
            while j < series.count, series[j].time <= t {
                current = series[j].value
                j += 1
            }
            guard let v = current, v.isFinite, t >= first.time else { continue }
            var level = span > 0 ? (v - lo) / span : 1
            if model.goal == .minimize { level = span > 0 ? 1 - level : 1 }
            let idx = clampedInt((level * Double(g.levels.count - 1)).rounded(), 0, g.levels.count - 1)
            grid[x + c, y] = Cell(g.levels[idx], .good)
        }
    }

    /// The messages pane, newest first.
    mutating func drawMessages(_ r: Rect) {
        box(r, title: "Messages", focused: ui.focus == .messages)
        let inner = r.inner
        guard inner.height > 0 else { return }
        // The program's notices (about the log, in a replay) come first, then the run's messages.
        let total = ui.notices.count + model.messageCount
        let top = max(0, min(ui.messageTop, total - 1))
        let recent = model.recentMessages(max(0, top + inner.height - ui.notices.count))
        let shown = (ui.notices.reversed() + recent).dropFirst(top).prefix(inner.height)
        if shown.isEmpty {
            grid.put(" none", x: inner.x, y: inner.y, role: .dim)
            return
        }
        for (i, m) in shown.enumerated() {
            let y = inner.y + i
            let x = grid.put(pad(formatDuration(m.time), 8, right: true) + " ", x: inner.x, y: y, role: .dim)
            grid.put(m.text, x: x, y: y, role: m.role, maxWidth: inner.x + inner.width - x)
        }
    }
}
