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
/// Matching a trial's configuration to a recorded one: every configuration column must be
/// present in the configuration (numbers for numeric columns). A recorded configuration equal on
/// all columns is used if there is one; otherwise the one with the fewest categorical mismatches,
/// then the smallest normalised distance Σ((a − b) / range)² over numeric columns (range = max −
/// min of the column's recorded values; columns with range 0 are ignored), then the one that
/// appears first in the file. Configuration entries that are not columns are ignored.
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
    let table: CurveTable

    /// Reads and checks the table at `path` (at most `limits.maxBytes`).
    public init(path: String, metric: String = "metric", goal: Goal = .minimize, limits: CSVLimits = CSVLimits())
        throws(ObjectiveError)
    {
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
        try self.init(csv: bytes, source: path, metric: metric, goal: goal, limits: limits)
    }

    /// Parses a table held in memory; errors name `source`.
    public init(
        csv bytes: [UInt8], source: String, metric: String = "metric", goal: Goal = .minimize,
        limits: CSVLimits = CSVLimits()
    ) throws(ObjectiveError) {
        guard !["resource", "seconds"].contains(metric) else {
            throw ObjectiveError("curves: the metric column cannot be named '\(metric)'")
        }
        let table = try CurveTable(CSVTable(bytes: bytes, source: source, limits: limits), metric: metric)
        self.table = table
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

    /// The recorded configuration `config` is matched to (see the type's documentation).
    public func recordedConfiguration(matching config: Configuration) throws(ObjectiveError) -> Configuration {
        let curve = table.curves[try match(config)]
        return Configuration(
            zip(table.columns, curve.cells).map { column, cell in
                Configuration.Entry(name: column.name, value: table.parameterValue(cell, column: column))
            })
    }

    /// The index of the curve `config` replays.
    func match(_ config: Configuration) throws(ObjectiveError) -> Int {
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
        var best = (index: -1, mismatches: Int.max, distance: Double.infinity)
        for (index, curve) in table.curves.enumerated() {
            if curve.cells == wanted { return index }
            var mismatches = 0
            var distance = 0.0
            for (position, column) in table.columns.enumerated() {
                switch (curve.cells[position], wanted[position]) {
                case (.number(let a), .number(let b)):
                    if column.range > 0 { distance += ((a - b) / column.range) * ((a - b) / column.range) }
                default:
                    if curve.cells[position] != wanted[position] { mismatches += 1 }
                }
            }
            if mismatches < best.mismatches || (mismatches == best.mismatches && distance < best.distance) {
                best = (index, mismatches, distance)
            }
        }
        return best.index
    }

    /// A trial replaying the curve `config` matches; the seed is unused (replays are deterministic).
    public func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        CurvesTrial(table: table, curve: try match(config))
    }

    /// Continues a replay from its `checkpoint()` (how many points it has returned).
    public func restoreTrial(config: Configuration, seed: UInt64, checkpoint: [UInt8]) throws -> any ObjectiveTrial {
        let trial = CurvesTrial(table: table, curve: try match(config))
        var reader = try CheckpointReader(checkpoint, tag: CurvesTrial.tag, objective: name)
        let next = try reader.readInt()
        try reader.finish()
        let points = table.curves[trial.curve].points
        guard (0...points.count).contains(next) else { throw reader.corrupt("point \(next) of \(points.count)") }
        trial.next = next
        trial.resource = next == 0 ? 0 : points[next - 1].resource
        return trial
    }
}

/// A trial replaying one recorded curve.
final class CurvesTrial: ObjectiveTrial, @unchecked Sendable {
    private let table: CurveTable
    let curve: Int
    var next = 0
    var resource = 0
    static let tag = "curves/1"

    init(table: CurveTable, curve: Int) {
        self.table = table
        self.curve = curve
    }

    func step() throws -> Step {
        let points = table.curves[curve].points
        guard next < points.count else {
            throw ObjectiveError(
                "curves: the curve recorded at \(table.source):\(table.curves[curve].line) ends at resource \(resource)"
            )
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
