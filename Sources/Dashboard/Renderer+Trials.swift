import ASHA

extension Renderer {
    /// The trials list: sorted, filtered, scrolled so the selected trial is visible.
    mutating func drawTrials(_ r: Rect) {
        let table = ui.table
        let arrow = ui.ascending ? (g.ascii ? "^" : "▲") : (g.ascii ? "v" : "▼")
        var title = "Trials \(table.count)/\(model.trials.count)  sort: \(ui.sortKey.name) \(arrow)"
        if !ui.filter.isEmpty { title += "  filter: \(ui.filter)" }
        box(r, title: title, focused: ui.focus == .trials)
        let inner = r.inner
        guard inner.height > 1 else { return }
        // Room for the sort arrow: a long metric name is cut first.
        let shortMetric = model.metricName.count > 10 ? String(model.metricName.prefix(9)) + "…" : model.metricName
        func col(_ name: String, _ key: SortKey?) -> String { key == ui.sortKey ? name + arrow : name }
        let head =
            " " + pad(col("id", .id), 7, right: true) + "   " + pad(col("status", .status), 9)
            + pad("b", 2, right: true) + pad(col("rung", .rung), 6, right: true) + pad("r", 7, right: true)
            + headerCell(col(shortMetric, .metric), 12) + "  config"
        grid.fill(" ", x: inner.x, y: inner.y, count: inner.width, role: .header)
        grid.put(head, x: inner.x, y: inner.y, role: .header, maxWidth: inner.width)
        let visible = inner.height - 1
        guard table.count > 0 else {
            let why = model.trials.isEmpty ? " no trials yet" : " no trial matches the filter"
            grid.put(why, x: inner.x, y: inner.y + 1, role: .dim, maxWidth: inner.width)
            return
        }
        var top = max(0, min(ui.listTop, table.count - visible))
        let selectedRow = ui.selectedRow.flatMap { $0 < table.count && table.id(at: $0) == ui.selectedTrial ? $0 : nil }
        if let s = selectedRow {
            if s < top { top = s }
            if s >= top + visible { top = s - visible + 1 }
        }
        let end = min(table.count, top + visible)
        for row in top..<end {
            let t = model.trials[table.position(at: row)]
            let y = inner.y + 1 + row - top
            let selected = row == selectedRow
            let base: StyleRole = selected ? .selected : .normal
            if selected { grid.fill(" ", x: inner.x, y: y, count: inner.width, role: .selected) }
            var x = grid.put(
                (selected ? ">" : " ") + pad(String(t.id), 7, right: true) + " ", x: inner.x, y: y,
                role: base)
            x = grid.put(
                String(t.status.glyph(ascii: g.ascii)) + " " + pad(t.status.name, 9), x: x, y: y,
                role: selected ? .selected : t.status.role)
            let rung = t.highestRung.map(String.init) ?? "-"
            let line =
                pad(String(t.bracket), 2, right: true) + pad(rung, 6, right: true)
                + pad(String(t.resource), 7, right: true) + pad(metricText(t.lastMetric), 12, right: true) + "  "
            x = grid.put(line, x: x, y: y, role: base, maxWidth: inner.x + inner.width - x)
            grid.put(t.configText, x: x, y: y, role: selected ? .selected : .dim, maxWidth: inner.x + inner.width - x)
        }
        if table.count > visible {
            let label = " \(top + 1)-\(end) of \(table.count) "
            grid.put(label, x: r.x + r.width - 1 - label.count - 1, y: r.y + r.height - 1, role: .dim)
        }
    }
}
