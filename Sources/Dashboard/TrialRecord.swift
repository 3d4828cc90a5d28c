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

/// What the dashboard knows about one trial.
public struct TrialRecord: Sendable {
    /// The most learning-curve points kept per trial (older points are thinned, the last is kept).
    public static let curveCapacity = 256
    /// The most decisions kept per trial.
    public static let decisionCapacity = 64

    /// The trial's id.
    public let id: TrialID
    /// Its bracket.
    public var bracket: Int
    /// Its configuration (raw; use `configText` to draw).
    public var config: Configuration
    /// The configuration as sanitized text ("lr=0.01 batch=64").
    public var configText: String
    /// The same text in lower case, for the filter.
    var searchText: String
    /// Where the configuration came from (model or random) and the objective's note, sanitized; nil when
    /// the log does not say.
    public var sampleText: String?
    /// Where it is in its life.
    public var status: TrialStatus
    /// The highest rung at which a value was recorded for the trial.
    public var highestRung: Int?
    /// The resource of the latest report.
    public var resource: Int
    /// The latest reported metric.
    public var lastMetric: Double?
    /// Metric points, in report order (bounded by `curveCapacity`).
    public var curve: [CurvePoint]
    /// Every decision about the trial, oldest first (bounded by `decisionCapacity`).
    public var decisions: [Decision]
    /// Why it failed, sanitized, whole (up to `reasonColumns`), when it failed.
    public var failureReason: String?
    /// The longest failure reason kept (a command's reason holds its 4 KiB stderr tail).
    public static let reasonColumns = 5_000
    /// The value recorded at `highestRung` (what rung decisions compare; the metric sort uses it).
    public var rungValue: Double?
    /// Event times of `decisions`, in the same order.
    public var decisionTimes: [Double] = []
    /// The worker slot training it, if a job is running.
    public var worker: Int?
    /// Where its latest cluster job ran (or runs), sanitized, and how many of its processes a cluster
    /// placed (0 for local processes).
    public var placement: JobPlacement?
    public var placements = 0
    /// The rung its running job trains towards.
    var towardsRung: Int?
    /// The rung where it waits to be promoted (promotion variant).
    var waitingAt: Int?

    init(id: TrialID, bracket: Int, config: Configuration) {
        self.id = id
        self.bracket = bracket
        self.config = config
        configText = Sanitizer.clean(config.description, maxColumns: 512)
        searchText = configText.lowercased()
        status = .queued
        resource = 0
        curve = []
        decisions = []
    }

    /// "from the model of r=27 (45 results)", "at random", and the objective's note, for the detail view.
    static func sampleText(_ detail: SampleDetail) -> String? {
        var parts: [String] = []
        switch detail.origin {
        case .model(let r, let n)?: parts.append("sampled by the model of r=\(r) (\(n) results)")
        case .random?: parts.append("sampled at random")
        case nil: break
        }
        if let note = detail.note { parts.append(note) }
        return parts.isEmpty ? nil : Sanitizer.clean(parts.joined(separator: "; "), maxColumns: 512)
    }

    mutating func addPoint(_ p: CurvePoint) {
        if curve.count >= Self.curveCapacity {
            // Keep the first point, thin the rest by half: the curve stays bounded and its shape stays.
            var thinned: [CurvePoint] = [curve[0]]
            thinned.reserveCapacity(Self.curveCapacity)
            var i = 2
            while i < curve.count {
                thinned.append(curve[i])
                i += 2
            }
            curve = thinned
        }
        curve.append(p)
    }

    mutating func addDecision(_ d: Decision, time: Double) {
        if decisions.count >= Self.decisionCapacity {
            decisions.removeFirst()
            decisionTimes.removeFirst()
        }
        decisions.append(d)
        decisionTimes.append(time)
    }
}
