import ASHA
import Foundation

/// Replays recorded learning curves from a CSV table, so a tuner can be exercised on real curves
/// without training anything.
///
/// Format: a header row, then one row per (configuration, resource). Columns `resource` (a
/// positive integer), the metric column (name chosen by `metric`, default `metric`; any number,
/// NaN and inf included) and `seconds` (the time it took to train from the configuration's
/// previous recorded resource to this one, finite ≥ 0) are required; every other column is a
/// configuration column. A configuration column whose values are all finite numbers is numeric,
/// otherwise categorical. Rows are grouped by their configuration values (rows of one
/// configuration need not be adjacent); a configuration may not record a resource twice.
///
/// Matching a trial's configuration to recorded ones (`CurveMatcher`): every configuration column
/// must be present in the configuration (numbers for numeric columns); entries that are not columns are
/// ignored. Distances are measured in the scale the search space declares for the column's parameter
/// (`configured(for:)`, which `ashb-top` calls with the spec's space): log scale over the space's bounds
/// for `loguniform` and `logint`, linear over the space's bounds for `uniform` and `int`, linear over the
/// recorded range for a numeric column the space does not tune; a `choice` (numbers included), a
/// `constant` and a text column are categorical (equal, or one mismatch). The nearest recorded
/// configuration has the fewest categorical mismatches, then the smallest Σ distance², then the
/// earliest line; an exact one has distance 0.
///
/// With `neighbors` k > 1 the trial follows the inverse-distance-weighted average of the k nearest
/// recorded curves among those with the fewest mismatches (weights 1/distance; if some are at distance
/// 0, those alone, equally): at each resource all k record, the value is the weighted mean of their
/// values and the time to reach it the weighted mean of their cumulative seconds. It is a smoothing of
/// recorded data, a surrogate for benchmarks, not a model: it never predicts beyond what was recorded.
///
/// `step()` returns the next recorded point of the matched curve (resources may jump, e.g.
/// 1, 3, 9, …), with `Step.cost` = that row's `seconds`; past the curve's last point it throws.
public struct CurvesObjective: Objective {
    /// Always `curves`.
    public var name: String { "curves" }
    /// The metric column's name.
    public let metric: String
    /// Whether the metric is minimised or maximised (an option: the table does not say).
    public let goal: Goal
    /// One parameter per configuration column: a choice over its distinct recorded values, in
    /// order of first appearance (a constant when there is only one).
    public let defaultSpace: SearchSpace
    /// The largest resource recorded for any configuration.
    public var maxResource: Int? { table.maxResource }
    /// How many recorded curves a trial follows (1: the nearest).
    public let neighbors: Int
    let table: CurveTable
    let matcher: CurveMatcher

    /// Reads and checks the table at `path` (at most `limits.maxBytes`).
    public init(
        path: String, metric: String = "metric", goal: Goal = .minimize, neighbors: Int = 1,
        limits: CSVLimits = CSVLimits()
    ) throws(ObjectiveError) {
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw ObjectiveError("curves: cannot read \(path): no such file or not accessible")
        }
        guard size <= limits.maxBytes else {
            throw ObjectiveError("curves: \(path) is \(size) bytes, more than the limit of \(limits.maxBytes)")
        }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ObjectiveError("curves: cannot read \(path): \(error.localizedDescription)")
        }
        try self.init(csv: bytes, source: path, metric: metric, goal: goal, neighbors: neighbors, limits: limits)
    }

    /// Parses a table held in memory; errors name `source`.
    public init(
        csv bytes: [UInt8], source: String, metric: String = "metric", goal: Goal = .minimize, neighbors: Int = 1,
        limits: CSVLimits = CSVLimits()
    ) throws(ObjectiveError) {
        guard !["resource", "seconds"].contains(metric) else {
            throw ObjectiveError("curves: the metric column cannot be named '\(metric)'")
        }
        guard neighbors >= 1 && neighbors <= 64 else {
            throw ObjectiveError("curves: option 'neighbors' must be in [1, 64] (got \(neighbors))")
        }
        let table = try CurveTable(CSVTable(bytes: bytes, source: source, limits: limits), metric: metric)
        self.table = table
        self.neighbors = neighbors
        matcher = try CurveMatcher(table: table, space: nil)
        self.metric = metric
        self.goal = goal
        var parameters: [Parameter] = []
        for (position, column) in table.columns.enumerated() {
            var values: [ParameterValue] = []
            var seen: Set<CurveTable.Cell> = []
            for curve in table.curves where seen.insert(curve.cells[position]).inserted {
                values.append(table.parameterValue(curve.cells[position], column: column))
            }
            parameters.append(
                Parameter(name: column.name, domain: values.count == 1 ? .constant(values[0]) : .choice(values)))
        }
        do {
            defaultSpace = try SearchSpace(parameters)
        } catch {
            throw ObjectiveError("curves: \(source): search space from the table rejected: \(error)")
        }
    }

    private init(_ base: CurvesObjective, matcher: CurveMatcher) {
        metric = base.metric
        goal = base.goal
        defaultSpace = base.defaultSpace
        neighbors = base.neighbors
        table = base.table
        self.matcher = matcher
    }

    /// The same table, matching configurations in the scale `space` declares (see the type's documentation).
    /// Throws when a column the space puts on a log scale records a value ≤ 0 (naming its line).
    public func configured(for space: SearchSpace) throws -> any Objective {
        let columns = table.columns.map(\.name)
        try SpaceParameterError.checkNames(space, known: columns) { name, hint in
            "curves: the table has no column '\(name)'\(hint); its columns are \(columns.joined(separator: ", "))"
        }
        return CurvesObjective(self, matcher: try CurveMatcher(table: table, space: space))
    }

    /// How each configuration column is compared: `log`, `linear` or `categorical`, in column order.
    public var matchingRules: [(column: String, rule: String)] {
        zip(table.columns, matcher.rules).map { column, rule in
            switch rule {
            case .linear: return (column.name, "linear")
            case .log: return (column.name, "log")
            case .categorical: return (column.name, "categorical")
            }
        }
    }

    /// The value a trial of `config` reports at the table's largest resource (nil when its curve stops
    /// short of it): what training the configuration fully gives, for scoring benchmarks.
    public func finalValue(following config: Configuration) throws(ObjectiveError) -> Double? {
        let points = try replay(config).points
        guard let last = points.last, last.resource == table.maxResource else { return nil }
        return last.value
    }

    /// The best value, under the goal, among the curves that reach the table's largest resource.
    public var bestFinalValue: Double? {
        let finals = table.curves.compactMap { c -> Double? in
            guard let last = c.points.last, last.resource == table.maxResource, last.value.isFinite else { return nil }
            return last.value
        }
        return goal == .minimize ? finals.min() : finals.max()
    }

    /// The seconds each curve that reaches the table's largest resource took to get there.
    public var fullTrainingSeconds: [Double] {
        table.curves.compactMap { c -> Double? in
            guard c.points.last?.resource == table.maxResource else { return nil }
            return c.points.reduce(0) { $0 + $1.seconds }
        }
    }

    /// The recorded configuration `config` is matched to (the nearest; see the type's documentation).
    public func recordedConfiguration(matching config: Configuration) throws(ObjectiveError) -> Configuration {
        let curve = table.curves[try match(config, k: 1)[0].curve]
        return Configuration(
            zip(table.columns, curve.cells).map { column, cell in
                Configuration.Entry(name: column.name, value: table.parameterValue(cell, column: column))
            })
    }

    /// With one neighbor, `config` with each table column's value replaced by that of the recorded
    /// configuration it replays (other entries kept, order kept), so configurations replaying the same
    /// curve are one; with more neighbors (a weighted average that changes with the distances), or when
    /// `config` cannot be matched, `config` itself.
    public func canonicalConfiguration(_ config: Configuration) -> Configuration {
        guard neighbors == 1, let found = try? match(config, k: 1), let first = found.first else { return config }
        let curve = table.curves[first.curve]
        var values: [String: ParameterValue] = [:]
        for (column, cell) in zip(table.columns, curve.cells) {
            values[column.name] = table.parameterValue(cell, column: column)
        }
        return Configuration(config.entries.map { .init(name: $0.name, value: values[$0.name] ?? $0.value) })
    }

    /// The curves `config` follows, nearest first, with their categorical mismatches and distances.
    func match(_ config: Configuration, k: Int) throws(ObjectiveError) -> [(
        curve: Int, mismatches: Int, distance: Double
    )] {
        var wanted: [CurveTable.Cell] = []
        for column in table.columns {
            guard let value = config[column.name] else {
                throw ObjectiveError(
                    "curves: configuration lacks hyperparameter '\(column.name)' (a column of the table)")
            }
            if column.isNumeric {
                guard let d = value.realValue, d.isFinite else {
                    throw ObjectiveError(
                        "curves: hyperparameter '\(column.name)' must be a number, got \(value.typedDescription)")
                }
                wanted.append(.number(d))
            } else {
                wanted.append(.text(value.stringValue ?? value.description))
            }
        }
        return matcher.nearest(wanted, k: k)
    }

    /// What a trial of `config` replays: its points and a note naming the recorded lines and distances.
    func replay(_ config: Configuration) throws(ObjectiveError) -> (points: [CurveTable.Point], note: String) {
        let found = try match(config, k: neighbors)
        let mismatchText = found[0].mismatches == 0 ? "" : ", \(found[0].mismatches) categorical mismatch(es)"
        if found.count == 1 {
            let c = found[0]
            let note =
                "follows \(table.source):\(table.curves[c.curve].line) (distance \(formatShort(c.distance))\(mismatchText))"
            return (table.curves[c.curve].points, note)
        }
        let exact = found.filter { $0.distance == 0 }
        let used = exact.isEmpty ? found : exact
        let weights = used.map { exact.isEmpty ? 1 / $0.distance : 1 }
        let total = weights.reduce(0, +)
        // Resources every followed curve records, with each curve's cumulative seconds there.
        var shared = Set(table.curves[used[0].curve].points.map(\.resource))
        for u in used.dropFirst() { shared.formIntersection(table.curves[u.curve].points.map(\.resource)) }
        var points: [CurveTable.Point] = []
        var cumulative = [Double](repeating: 0, count: used.count)
        var indices = [Int](repeating: 0, count: used.count)
        var previousTime = 0.0
        for resource in shared.sorted() {
            var value = 0.0
            var time = 0.0
            for (i, u) in used.enumerated() {
                let curvePoints = table.curves[u.curve].points
                while curvePoints[indices[i]].resource < resource {
                    cumulative[i] += curvePoints[indices[i]].seconds
                    indices[i] += 1
                }
                value += weights[i] * curvePoints[indices[i]].value
                time += weights[i] * (cumulative[i] + curvePoints[indices[i]].seconds)
            }
            value /= total
            time /= total
            points.append(CurveTable.Point(resource: resource, value: value, seconds: max(0, time - previousTime)))
            previousTime = time
        }
        let lines = zip(used, weights).map { u, w in
            "\(table.curves[u.curve].line) (distance \(formatShort(u.distance)), weight \(formatShort(w / total)))"
        }
        let note =
            "follows the weighted average of \(table.source) lines \(lines.joined(separator: ", "))\(mismatchText)"
        return (points, note)
    }

    /// A trial replaying the curve(s) `config` matches; the seed is unused (replays are deterministic).
    public func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        let (points, note) = try replay(config)
        return CurvesTrial(points: points, source: table.source, note: note)
    }

    /// Continues a replay from its `checkpoint()` (how many points it has returned).
    public func restoreTrial(config: Configuration, seed: UInt64, checkpoint: [UInt8]) throws -> any ObjectiveTrial {
        let (points, note) = try replay(config)
        let trial = CurvesTrial(points: points, source: table.source, note: note)
        var reader = try CheckpointReader(checkpoint, tag: CurvesTrial.tag, objective: name)
        let next = try reader.readInt()
        try reader.finish()
        guard (0...points.count).contains(next) else { throw reader.corrupt("point \(next) of \(points.count)") }
        trial.next = next
        trial.resource = next == 0 ? 0 : points[next - 1].resource
        return trial
    }
}

/// A trial replaying one recorded curve (or a weighted average of several).
final class CurvesTrial: ObjectiveTrial, @unchecked Sendable {
    private let points: [CurveTable.Point]
    private let source: String
    let note: String?
    var next = 0
    var resource = 0
    static let tag = "curves/1"

    init(points: [CurveTable.Point], source: String, note: String) {
        self.points = points
        self.source = source
        self.note = note
    }

    func step() throws -> Step {
        guard next < points.count else {
            throw ObjectiveError("curves: the curve this trial \(note ?? "follows") ends at resource \(resource)")
        }
        let point = points[next]
        next += 1
        resource = point.resource
        return Step(resource: point.resource, value: point.value, cost: point.seconds)
    }

    func checkpoint() -> [UInt8]? {
        var writer = CheckpointWriter(tag: Self.tag)
        writer.append(next)
        return writer.bytes
    }
}
