import ASHA
import Foundation

/// Finds the recorded configurations nearest to a configuration, in the scale of the search space.
///
/// Each configuration column has a rule:
/// - a numeric column whose parameter the space declares `loguniform` or `logint`: distance in log
///   scale, |log a − log b| / (log high − log low) with the space's bounds;
/// - `uniform` or `int`: |a − b| / (high − low) with the space's bounds;
/// - a numeric column not in the space (or no space given): |a − b| / (max − min of the recorded values),
///   ignored when they are all equal;
/// - a `choice` (numbers included) or `constant`, and every text column: categorical, equal or a
///   mismatch. A choice declares its values unordered (the sampler draws them as categories), so 32 is
///   no nearer to 16 than to 128.
///
/// A recorded configuration is nearer when it has fewer categorical mismatches, then a smaller
/// Σ distance², then an earlier line. With k neighbors, the k nearest among those with the fewest
/// mismatches are returned, nearest first.
struct CurveMatcher: Sendable {
    enum Rule: Sendable, Equatable {
        case linear(width: Double)
        case log(width: Double)
        case categorical
    }

    let rules: [Rule]
    /// Positions (columns) of the numeric rules and of the categorical ones.
    private let numeric: [Int]
    private let categorical: [Int]
    /// Per curve: the numeric columns' values (logs for log rules), `numeric.count` each.
    private let values: [Double]
    /// 1 / width per numeric column (0 for a column to ignore).
    private let inverseWidths: [Double]
    /// Per categorical column: the code of each distinct recorded value.
    private let codeBook: [[CurveTable.Cell: Int32]]
    /// Per curve: the categorical columns' codes, `categorical.count` each.
    private let codes: [Int32]
    let curveCount: Int

    /// The rules for `table`'s columns under `space` (nil: the recorded ranges, linear).
    init(table: CurveTable, space: SearchSpace?) throws(ObjectiveError) {
        var rules: [Rule] = []
        for (position, column) in table.columns.enumerated() {
            guard column.isNumeric else {
                rules.append(.categorical)
                continue
            }
            let domain = space?.parameters.first { $0.name == column.name }?.domain
            switch domain {
            case .uniform(let low, let high, _)?: rules.append(.linear(width: high - low))
            case .int(let low, let high)?: rules.append(.linear(width: Double(high) - Double(low)))
            case .logUniform(let low, let high, _)?: rules.append(.log(width: Foundation.log(high / low)))
            case .logInt(let low, let high)?: rules.append(.log(width: Foundation.log(Double(high) / Double(low))))
            case .choice?, .constant?: rules.append(.categorical)
            case nil: rules.append(.linear(width: column.range))
            }
            if case .log = rules[position] {
                for curve in table.curves {
                    if case .number(let d) = curve.cells[position], d <= 0 {
                        throw ObjectiveError(
                            "curves: \(table.source):\(curve.line): column '\(column.name)' holds \(formatShort(d)), "
                                + "but the search space declares it on a log scale (values must be > 0)")
                    }
                }
            }
        }
        self.rules = rules
        numeric = rules.indices.filter { rules[$0] != .categorical }
        categorical = rules.indices.filter { rules[$0] == .categorical }
        inverseWidths = numeric.map { position in
            switch rules[position] {
            case .linear(let w), .log(let w): return w > 0 && w.isFinite ? 1 / w : 0
            case .categorical: return 0
            }
        }
        var values: [Double] = []
        values.reserveCapacity(table.curves.count * numeric.count)
        for curve in table.curves {
            for position in numeric {
                guard case .number(let d) = curve.cells[position] else { continue }
                values.append(Self.isLog(rules[position]) ? Foundation.log(d) : d)
            }
        }
        self.values = values
        var books: [[CurveTable.Cell: Int32]] = Array(repeating: [:], count: categorical.count)
        var codes: [Int32] = []
        codes.reserveCapacity(table.curves.count * categorical.count)
        for curve in table.curves {
            for (c, position) in categorical.enumerated() {
                let cell = curve.cells[position]
                if let code = books[c][cell] {
                    codes.append(code)
                } else {
                    let code = Int32(books[c].count)
                    books[c][cell] = code
                    codes.append(code)
                }
            }
        }
        codeBook = books
        self.codes = codes
        curveCount = table.curves.count
    }

    private static func isLog(_ rule: Rule) -> Bool {
        if case .log = rule { return true }
        return false
    }

    /// The `k` nearest curves to `wanted` (one cell per column), nearest first, each with its number
    /// of categorical mismatches and Euclidean distance (√Σ distance²).
    func nearest(_ wanted: [CurveTable.Cell], k: Int) -> [(curve: Int, mismatches: Int, distance: Double)] {
        var point: [Double] = []
        for position in numeric {
            guard case .number(let d) = wanted[position] else { return [] }
            point.append(Self.isLog(rules[position]) ? Foundation.log(max(d, .leastNormalMagnitude)) : d)
        }
        let wantedCodes: [Int32] = categorical.enumerated().map { c, position in
            codeBook[c][wanted[position]] ?? -1
        }
        let dn = numeric.count
        let dc = categorical.count
        var best: [(curve: Int, squared: Double)] = []
        var fewest = Int.max
        for i in 0..<curveCount {
            var mismatches = 0
            for c in 0..<dc where codes[i * dc + c] != wantedCodes[c] { mismatches += 1 }
            if mismatches > fewest { continue }
            if mismatches < fewest {
                fewest = mismatches
                best.removeAll(keepingCapacity: true)
            }
            var squared = 0.0
            for j in 0..<dn {
                let z = (values[i * dn + j] - point[j]) * inverseWidths[j]
                squared += z * z
            }
            if best.count == k, let last = best.last, squared >= last.squared { continue }
            var at = best.count
            while at > 0 && best[at - 1].squared > squared { at -= 1 }
            best.insert((i, squared), at: at)
            if best.count > k { best.removeLast() }
        }
        return best.map { ($0.curve, fewest, $0.squared.squareRoot()) }
    }
}
