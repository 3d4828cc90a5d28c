import ASHA
import Foundation
import RunLog
import TextSafety

extension Renderer {
    /// The trials list as a tuning table: id, status, bracket, highest rung, resource, the metric,
    /// then one column per hyperparameter (as many as fit; the rest as text). Sorted by any column,
    /// filtered, scrolled so the selected trial stays where it was on screen.
    mutating func drawTrials(_ r: Rect) {
        let table = ui.table
        let arrow = ui.ascending ? (g.ascii ? "^" : "▲") : (g.ascii ? "v" : "▼")
        let sortName = ui.sortKey.name(parameters: model.parameterNames)
        var title = "Trials \(table.count)/\(model.trials.count)  sort: \(sortName) \(arrow)"
        // The filter in force (the last text that parsed), and whether the text typed since is not valid.
        let active = ui.activeFilter.source
        if !active.isEmpty || ui.filterError != nil {
            title += "  filter: " + (active.isEmpty ? "none" : active)
            if ui.filterError != nil { title += " (typed: invalid)" }
        }
        box(r, title: title, focused: ui.focus == .trials)
        let inner = r.inner
        guard inner.height > 1 else { return }
        func col(_ name: String, _ key: SortKey) -> String { key == ui.sortKey ? name + arrow : name }
        let fixed =
            " " + pad(col("id", .id), 7, right: true) + "   " + pad(col("status", .status), 9)
            + pad("b", 2, right: true) + pad(col("rung", .rung), 6, right: true) + pad("r", 7, right: true)
        // The metric's full name when it fits beside at least one hyperparameter column.
        let metricHead = col(model.metricName, .metric)
        let allParams = parameterColumns(room: .max).reduce(0) { $0 + $1.width }
        let fullMetric = TrialColumns.metricWidth(head: metricHead)
        let metricWidth = inner.width - fixed.count >= fullMetric + allParams || inner.width >= 110 ? fullMetric : 12
        let params = parameterColumns(room: inner.width - fixed.count - metricWidth)
        var head = fixed + headerCell(metricHead, metricWidth, ascii: g.ascii)
        for p in params { head += headerCell(col(p.name, .parameter(p.index)), p.width, ascii: g.ascii) }
        let restIndex = params.count
        // The hyperparameters without a column follow as text when there is room for some of it;
        // otherwise the header says how many are left out ("+2": the detail shows them), rather than
        // two letters of a name.
        let restRoom = inner.width - head.count
        let restAsText = restRoom >= 10
        if restIndex < model.parameterNames.count {
            let left = model.parameterNames.count - restIndex
            let count = "+\(left)"
            if restAsText {
                head += "  " + (restIndex == 0 ? "config" : "more")
            } else if restRoom > count.count {
                head += pad(count, restRoom, right: true)
            }
        }
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
        let selectionShown = ui.focus == .trials || ui.focus == .messages || ui.focus == .rungs
        for row in top..<end {
            let t = model.trials[table.position(at: row)]
            let y = inner.y + 1 + row - top
            let selected = row == selectedRow && selectionShown
            let base: StyleRole = selected ? .selected : .normal
            if selected { grid.fill(" ", x: inner.x, y: y, count: inner.width, role: .selected) }
            let limit = inner.x + inner.width
            var x = grid.put(
                (row == selectedRow ? ">" : " ") + pad(String(t.id), 7, right: true) + " ", x: inner.x, y: y,
                role: base)
            x = grid.put(
                String(t.status.glyph(ascii: g.ascii)) + " " + pad(statusWord(t), 9), x: x, y: y,
                role: selected ? .selected : t.status.role)
            let rung = t.highestRung.map(String.init) ?? "-"
            var line =
                pad(String(t.bracket), 2, right: true) + pad(rung, 6, right: true)
                + pad(String(t.resource), 7, right: true) + pad(metricText(t.lastMetric), metricWidth, right: true)
            // Read from the packed configuration: no configuration is built for a row.
            let config = t.storedConfig
            for p in params {
                let v = p.index < config.count ? cellText(config.value(at: p.index), width: p.width - 1) : "-"
                line += pad(v, p.width, right: true)
            }
            x = grid.put(line, x: x, y: y, role: base, maxWidth: limit - x)
            if restAsText, restIndex < config.count {
                let rest = (restIndex..<config.count).map {
                    "\(Sanitizer.clean(config.name(at: $0), maxColumns: 24))="
                        + Sanitizer.clean(config.value(at: $0).description, maxColumns: 40)
                }
                // Cut with an ellipsis, so a cut value is not read as a whole one.
                grid.put(
                    "  " + Sanitizer.clean(rest.joined(separator: " "), maxColumns: max(0, limit - x - 2)), x: x, y: y,
                    role: selected ? .selected : .dim, maxWidth: limit - x)
            }
        }
        if table.count > visible {
            let label = " \(top + 1)-\(end) of \(table.count) "
            grid.put(label, x: r.x + r.width - 1 - label.count - 1, y: r.y + r.height - 1, role: .dim)
        }
    }

    /// The status word of a row: after the run has ended, a trial left waiting at a rung was "not
    /// promoted" there.
    func statusWord(_ t: TrialRecord) -> String {
        t.status == .waiting && model.isEnded ? "not prom." : t.status.name
    }

    /// A hyperparameter value in at most `width` columns: fewer significant digits before cutting.
    func cellText(_ v: ParameterValue, width: Int) -> String {
        guard case .double(let d) = v else {
            return Sanitizer.clean(v.description, maxColumns: max(1, width))
        }
        for digits in [6, 5, 4, 3, 2, 1] {
            let s = d == d.rounded() && abs(d) < 1e15 ? formatShort(d) : String(format: "%.\(digits)g", d)
            if s.count <= width { return s }
        }
        return String(format: "%.0e", d)
    }

    /// The hyperparameter columns that fit in `room` columns, in search-space order.
    func parameterColumns(room: Int) -> [(index: Int, name: String, width: Int)] {
        var out: [(Int, String, Int)] = []
        var left = room
        for (i, name) in model.parameterNames.enumerated() {
            let width = TrialColumns.parameterWidth(name: name)
            // Leave room for the "more" text when some do not fit.
            let needed = i == model.parameterNames.count - 1 ? width : width + 2
            guard room == .max || left >= needed else { break }
            out.append((i, name, width))
            left -= width
        }
        return out
    }
}

/// Column widths of the trials table, shared by the renderer and the layout (which sizes the panes
/// beside the table by what it needs).
enum TrialColumns {
    /// Id, status, bracket, rung and resource, with the row's leading space.
    static let fixedWidth = 35

    /// A hyperparameter's column: its name and two spaces, between 9 and 14 columns.
    static func parameterWidth(name: String) -> Int { min(14, max(9, name.count + 2)) }

    /// The metric's column at its full name (with the sort arrow when sorted by it).
    static func metricWidth(head: String) -> Int { max(12, head.count + 2) }

    /// The table's inner width with every column at full width.
    static func preferredWidth(model: DashboardModel) -> Int {
        fixedWidth + metricWidth(head: model.metricName + "▲")
            + model.parameterNames.reduce(0) { $0 + parameterWidth(name: $1) }
    }
}
