import ASHA

/// Learning curves read from a CSV table (see `CurvesObjective` for the format), grouped by
/// configuration and checked strictly: errors name the file, the line and the column.
struct CurveTable: Sendable {
    /// One recorded value of a configuration column.
    enum Cell: Hashable, Sendable {
        case number(Double)
        case text(String)
    }

    /// A configuration column: its name and whether all its values are numbers (and integers).
    struct Column: Sendable {
        let name: String
        let isNumeric: Bool
        let isInteger: Bool
        /// max − min over the recorded values (numeric columns), used to normalise distances.
        let range: Double
    }

    /// One recorded point: after training to `resource`, the metric was `value`; training there
    /// from the previous recorded resource took `seconds`.
    struct Point: Sendable, Equatable {
        let resource: Int
        let value: Double
        let seconds: Double
    }

    /// One configuration's curve, points in increasing resource.
    struct Curve: Sendable {
        let cells: [Cell]
        let points: [Point]
        /// The line of the configuration's first row, to point people at it.
        let line: Int
    }

    let source: String
    let columns: [Column]
    let curves: [Curve]
    var maxResource: Int { curves.map { $0.points.last?.resource ?? 0 }.max() ?? 0 }

    /// Groups `table`'s rows by the values of every column other than `resource`, `metric` and
    /// `seconds` (the configuration columns).
    init(_ table: CSVTable, metric: String) throws(ObjectiveError) {
        source = table.source
        let source = table.source
        var special: [String: Int] = [:]
        for name in ["resource", metric, "seconds"] {
            guard let index = table.header.firstIndex(of: name) else {
                throw ObjectiveError(
                    "\(source):1: missing column '\(name)' (header: \(table.header.joined(separator: ", ")))")
            }
            special[name] = index
        }
        guard !table.rows.isEmpty else { throw ObjectiveError("\(source): no data rows after the header") }
        let configIndices = table.header.indices.filter { !special.values.contains($0) }
        let numeric = configIndices.map { c in table.rows.allSatisfy { CurveTable.number($0.fields[c]) != nil } }

        var groups: [[Cell]: Int] = [:]
        var cells: [[Cell]] = []
        var lines: [Int] = []
        var points: [[Point]] = []
        var recorded: [[Int: Int]] = []  // per group: resource → line
        for row in table.rows {
            func describe(_ column: Int) -> String {
                "\(source):\(row.line): column '\(table.header[column])' (\(column + 1))"
            }
            var key: [Cell] = []
            for (position, c) in configIndices.enumerated() {
                let field = row.fields[c]
                guard !field.isEmpty else { throw ObjectiveError("\(describe(c)): empty value") }
                key.append(numeric[position] ? .number(CurveTable.number(field)!) : .text(field))
            }
            let r = row.fields[special["resource"]!]
            guard let resource = Int(r), resource >= 1 else {
                throw ObjectiveError("\(describe(special["resource"]!)): '\(r)' is not a positive integer")
            }
            let m = row.fields[special[metric]!]
            guard let value = Double(m) else {
                throw ObjectiveError("\(describe(special[metric]!)): '\(m)' is not a number")
            }
            let s = row.fields[special["seconds"]!]
            guard let seconds = CurveTable.number(s), seconds >= 0 else {
                throw ObjectiveError("\(describe(special["seconds"]!)): '\(s)' is not a finite number ≥ 0")
            }
            let group: Int
            if let existing = groups[key] {
                group = existing
            } else {
                group = cells.count
                groups[key] = group
                cells.append(key)
                lines.append(row.line)
                points.append([])
                recorded.append([:])
            }
            if let earlier = recorded[group][resource] {
                throw ObjectiveError(
                    "\(describe(special["resource"]!)): resource \(resource) already recorded for this "
                        + "configuration on line \(earlier)")
            }
            recorded[group][resource] = row.line
            points[group].append(Point(resource: resource, value: value, seconds: seconds))
        }

        columns = configIndices.enumerated().map { position, c in
            let values = cells.compactMap { if case .number(let d) = $0[position] { d } else { nil } }
            return Column(
                name: table.header[c], isNumeric: numeric[position],
                isInteger: numeric[position] && values.allSatisfy { $0 == $0.rounded() && abs($0) < 1e15 },
                range: (values.max() ?? 0) - (values.min() ?? 0))
        }
        curves = cells.indices.map { group in
            Curve(
                cells: cells[group], points: points[group].sorted { $0.resource < $1.resource },
                line: lines[group])
        }
    }

    /// A finite number, or nil.
    static func number(_ text: String) -> Double? {
        guard let d = Double(text), d.isFinite else { return nil }
        return d
    }

    /// The recorded value as a hyperparameter value (ints for integer columns).
    func parameterValue(_ cell: Cell, column: Column) -> ParameterValue {
        switch cell {
        case .number(let d): return column.isInteger ? .int(Int(d)) : .double(d)
        case .text(let s): return .string(s)
        }
    }
}
