import ASHA
import RunLog
import TextSafety

/// One point of a learning curve: the metric after training to a resource.
public struct CurvePoint: Equatable, Sendable {
    /// Resource trained to.
    public var resource: Int
    /// Metric value there.
    public var value: Double
}

/// What the dashboard knows about one trial: the fixed-size fields a row, a sort and a filter read.
///
/// Kept small (96 bytes), because a replay of a long run holds hundreds of thousands of them and many
/// snapshots of them: what is variable in length lives outside the record in the model's shared,
/// append-only tables (the learning curve and the decisions, see `DashboardModel.curve(of:)` and
/// `decisions(of:)`), is derived when drawn (`configText`, `sampleText`; the word filter searches the
/// configuration's text without making it, see `ConfigSearch`), or is rare and kept in a box the record
/// points to (the sample detail, a failure reason). Optionals are stored without their padding: a
/// sentinel or a flag bit, behind properties of the same types as before.
public struct TrialRecord: Sendable {
    /// The most learning-curve points kept per trial (older points are thinned, the last is kept).
    public static let curveCapacity = 256
    /// The most decisions kept per trial.
    public static let decisionCapacity = 64

    /// The trial's id.
    public let id: TrialID
    /// Its bracket.
    public var bracket: Int
    /// Its configuration (raw; use `configText` to draw), made from `storedConfig` when asked for.
    public var config: Configuration {
        get { storedConfig.configuration }
        set { storedConfig = StoredConfiguration(newValue) }
    }
    /// The configuration, packed (shared with the run state's trial when both have it).
    var storedConfig: StoredConfiguration
    /// The configuration as sanitized text ("lr=0.01 batch=64"), made when asked for.
    public var configText: String { Self.configText(config) }
    /// Where the configuration came from (model or random) and the objective's note, as the log said.
    var sample: SampleDetail? {
        get { extras?.sample }
        set { if newValue != nil || extras != nil { changeExtras { $0.sample = newValue } } }
    }
    /// Where the configuration came from and the objective's note, sanitized; nil when the log does not say.
    public var sampleText: String? { sample.flatMap(Self.sampleText) }
    /// The highest rung at which a value was recorded for the trial.
    public var highestRung: Int? {
        get { storedHighestRung == Int.min ? nil : storedHighestRung }
        set { storedHighestRung = newValue ?? Int.min }
    }
    /// The resource of the latest report.
    public var resource: Int
    /// The latest reported metric.
    public var lastMetric: Double? {
        get { flags & Self.hasLastMetric != 0 ? storedLastMetric : nil }
        set {
            storedLastMetric = newValue ?? 0
            flags = newValue == nil ? flags & ~Self.hasLastMetric : flags | Self.hasLastMetric
        }
    }
    /// Why it failed, sanitized, whole (up to `reasonColumns`), when it failed.
    public var failureReason: String? {
        get { extras?.failureReason }
        set { if newValue != nil || extras != nil { changeExtras { $0.failureReason = newValue } } }
    }
    /// The longest failure reason kept (a command's reason holds its 4 KiB stderr tail).
    public static let reasonColumns = 5_000
    /// The value recorded at `highestRung` (what rung decisions compare; the metric sort uses it).
    public var rungValue: Double? {
        get { flags & Self.hasRungValue != 0 ? storedRungValue : nil }
        set {
            storedRungValue = newValue ?? 0
            flags = newValue == nil ? flags & ~Self.hasRungValue : flags | Self.hasRungValue
        }
    }
    /// The worker slot training it, if a job is running (slots are below `DashboardModel.maxWorkers`).
    public var worker: Int? {
        get { storedWorker < 0 ? nil : Int(storedWorker) }
        set { storedWorker = newValue.map { Int16(clamping: $0) } ?? -1 }
    }
    /// How many of its processes a cluster placed (0 for local processes; where the latest ran:
    /// `DashboardModel.placement(of:)`).
    public var placements: Int {
        get { Int(storedPlacements) }
        set { storedPlacements = UInt32(clamping: newValue) }
    }
    /// The rung its running job trains towards (a shown rung: below `DashboardModel.maxRungs`).
    var towardsRung: Int? {
        get { storedTowards < 0 ? nil : Int(storedTowards) }
        set { storedTowards = newValue.map { Int8(clamping: $0) } ?? -1 }
    }
    /// The rung where it waits to be promoted (promotion variant; a shown rung).
    var waitingAt: Int? {
        get { storedWaiting < 0 ? nil : Int(storedWaiting) }
        set { storedWaiting = newValue.map { Int8(clamping: $0) } ?? -1 }
    }
    /// The newest point of its curve in the model's curve table (-1: none), and how many points it has
    /// (at most `curveCapacity`).
    var curveHead: Int32 = -1
    var curveCount: Int32 {
        get { Int32(storedCurveCount) }
        set { storedCurveCount = UInt16(clamping: newValue) }
    }
    /// The newest of its decisions in the model's decision table (-1: none), and how many are kept (at
    /// most `decisionCapacity`).
    var decisionHead: Int32 = -1
    var decisionCount: Int32 {
        get { Int32(storedDecisionCount) }
        set { storedDecisionCount = UInt8(clamping: newValue) }
    }

    // The stored fields behind the properties above.
    /// `highestRung`, `Int.min` for none (a rung recorded is never below -1).
    private var storedHighestRung = Int.min
    private var storedLastMetric = 0.0
    private var storedRungValue = 0.0
    /// The rare fields, nil when none is set; shared by copies until one changes it.
    private var extras: Extras?
    private var storedPlacements: UInt32 = 0
    private var storedWorker: Int16 = -1
    private var storedCurveCount: UInt16 = 0
    private var storedDecisionCount: UInt8 = 0
    private var storedTowards: Int8 = -1
    private var storedWaiting: Int8 = -1
    private var flags: UInt8 = 0
    /// Where it is in its life (stored last: with the other single bytes it fills the record's tail).
    public var status: TrialStatus
    private static let hasLastMetric: UInt8 = 1
    private static let hasRungValue: UInt8 = 2

    /// The fields few trials have. Copied before a change when another record shares it, so records
    /// stay values.
    private final class Extras: @unchecked Sendable {
        var sample: SampleDetail?
        var failureReason: String?

        init(sample: SampleDetail?, failureReason: String?) {
            self.sample = sample
            self.failureReason = failureReason
        }

        var isEmpty: Bool { sample == nil && failureReason == nil }
    }

    private mutating func changeExtras(_ change: (Extras) -> Void) {
        if extras == nil {
            extras = Extras(sample: nil, failureReason: nil)
        } else if !isKnownUniquelyReferenced(&extras) {
            extras = Extras(sample: extras?.sample, failureReason: extras?.failureReason)
        }
        change(extras!)
        if extras!.isEmpty { extras = nil }
    }

    init(id: TrialID, bracket: Int, config: Configuration) {
        self.id = id
        self.bracket = bracket
        storedConfig = StoredConfiguration(config)
        status = .queued
        resource = 0
    }

    /// The configuration as sanitized text.
    static func configText(_ config: Configuration) -> String {
        Sanitizer.clean(config.description, maxColumns: 512)
    }

    /// "from the model of r=27 (45 results)", "at random", and the objective's note, for the detail view.
    static func sampleText(_ detail: SampleDetail) -> String? {
        var parts: [String] = []
        switch detail.origin {
        case .model(let r, let n)?: parts.append("sampled by the model of r=\(r) (\(n) results)")
        case .random?: parts.append("sampled at random")
        case .copy(let t, .worst)?:
            parts.append(
                "trial \(t)'s configuration again, the worst at the first rung (space exhausted: a copy ranks "
                    + "last there, so the rung promotes deeper)")
        case .copy(let t, .pad(let target))?:
            parts.append(
                "trial \(t)'s configuration again (space exhausted): it ranks behind stopped trial \(target) at "
                    + "the rung that stopped it, loosening that rung's cutoff")
        case .copy(let t, .retry)?:
            parts.append(
                "trial \(t)'s configuration again (space exhausted): stopped before, its results would now pass "
                    + "the rungs it reached")
        case nil: break
        }
        if let note = detail.note { parts.append(note) }
        return parts.isEmpty ? nil : Sanitizer.clean(parts.joined(separator: "; "), maxColumns: 512)
    }
}

/// One point of a trial's curve in the model's curve table, linked to the point before it: 16 bytes (a
/// 10,000,000-event log holds about 6 million points). Resources beyond 32 bits are clamped.
struct CurveNode: Sendable {
    var value: Double
    var resource: Int32
    var previous: Int32

    init(_ point: CurvePoint, previous: Int32) {
        value = point.value
        resource = Int32(clamping: point.resource)
        self.previous = previous
    }

    var point: CurvePoint { CurvePoint(resource: Int(resource), value: value) }
}

/// One decision about a trial in the model's decision table, linked to the decision before it: 48 bytes
/// where a `Decision` with its time takes 96 (the trial is the one that links it; resource, rank and rung
/// size beyond 32 bits, bracket and rung beyond 16 bits are clamped: a 10,000,000-event log holds 1.3
/// million decisions).
struct DecisionNode: Sendable {
    var value: Double
    /// The cutoff, when `hasCutoff`.
    var cutoff: Double
    var time: Double
    var resource: Int32
    var rank: Int32
    var rungSize: Int32
    var previous: Int32
    var bracket: Int16
    var rung: Int16
    var action: Decision.Action
    var reason: Decision.Reason
    var hasCutoff: Bool

    init(_ d: Decision, time: Double, previous: Int32) {
        value = d.value
        cutoff = d.cutoff ?? 0
        hasCutoff = d.cutoff != nil
        self.time = time
        bracket = Int16(clamping: d.bracket)
        rung = Int16(clamping: d.rung)
        resource = Int32(clamping: d.resource)
        rank = Int32(clamping: d.rank)
        rungSize = Int32(clamping: d.rungSize)
        self.previous = previous
        action = d.action
        reason = d.reason
    }

    /// The decision about `trial` this node records.
    func decision(trial: TrialID) -> Decision {
        Decision(
            trial: trial, bracket: Int(bracket), rung: Int(rung), resource: Int(resource), value: value,
            cutoff: hasCutoff ? cutoff : nil, rank: Int(rank), rungSize: Int(rungSize), action: action,
            reason: reason)
    }
}
