import ASHA

/// A real classifier: a one-hidden-layer perceptron on the bundled handwritten digits, trained
/// epoch by epoch. Resource = epochs; metric `validation_error` (fraction of the validation images
/// misclassified), minimised; `Step.cost` is nil (real work).
///
/// The images (pixels / 16) are split once, by a fixed seeded shuffle that is the same for every
/// trial, into validation (`validationFraction`, default 30%: 539 images) and training (1258).
///
/// Hyperparameters, read by name (absent → default; wrong type or out of range → error):
/// `learning_rate` (0.1), `hidden_units` (64), `l2` (1e-4), `batch_size` (32), `momentum` (0.9),
/// `activation` (`relu` or `tanh`, default `relu`). The trial seed draws the initial weights and
/// each epoch's shuffle. A diverged trial (non-finite logits) reports NaN.
public struct DigitsMLPObjective: Objective {
    /// Always `digits-mlp`.
    public var name: String { "digits-mlp" }
    /// Always `validation_error`.
    public var metric: String { "validation_error" }
    /// Always `.minimize`.
    public var goal: Goal { .minimize }
    /// learning_rate log-uniform [1e-3, 1], hidden_units int [8, 128], l2 log-uniform [1e-6, 0.1],
    /// batch_size choice 16/32/64/128, momentum uniform [0, 0.95].
    public let defaultSpace: SearchSpace
    /// The most epochs the tuner should ask for.
    public let maxResource: Int?
    let train: DigitsSubset
    let validation: DigitsSubset

    /// Loads the bundled data (once per process) and splits it.
    public init(maxResource: Int = 81, validationFraction: Double = 0.3) throws(ObjectiveError) {
        guard maxResource >= 1 else { throw ObjectiveError("digits-mlp: max_resource must be ≥ 1") }
        guard validationFraction > 0 && validationFraction < 1 else {
            throw ObjectiveError("digits-mlp: validation_fraction must be in (0, 1)")
        }
        let data = try DigitsData.shared.get()
        self.maxResource = maxResource
        (train, validation) = data.split(validationFraction: validationFraction)
        guard !train.labels.isEmpty, !validation.labels.isEmpty else {
            throw ObjectiveError("digits-mlp: validation_fraction leaves an empty training or validation set")
        }
        do {
            defaultSpace = try SearchSpace([
                Parameter(name: "learning_rate", domain: .logUniform(low: 1e-3, high: 1, step: nil)),
                Parameter(name: "hidden_units", domain: .int(low: 8, high: 128)),
                Parameter(name: "l2", domain: .logUniform(low: 1e-6, high: 1e-1, step: nil)),
                Parameter(name: "batch_size", domain: .choice([.int(16), .int(32), .int(64), .int(128)])),
                Parameter(name: "momentum", domain: .uniform(low: 0, high: 0.95, step: nil)),
            ])
        } catch {
            throw ObjectiveError("digits-mlp: default search space rejected: \(error)")
        }
    }

    /// The number of training and validation images.
    public var splitSizes: (train: Int, validation: Int) { (train.count, validation.count) }

    /// Reads the hyperparameters and draws the initial weights from `seed`.
    public func makeTrial(config: Configuration, seed: UInt64) throws -> any ObjectiveTrial {
        try makeDigitsTrial(config: config, seed: seed)
    }

    /// Continues a trial from its `checkpoint()`: weights, velocities, shuffle state and epoch.
    /// The configuration must be the one the trial was made with (the network size is checked).
    public func restoreTrial(config: Configuration, seed: UInt64, checkpoint: [UInt8]) throws -> any ObjectiveTrial {
        let trial = try makeDigitsTrial(config: config, seed: seed)
        var reader = try CheckpointReader(checkpoint, tag: DigitsMLPTrial.tag, objective: name)
        try trial.restore(from: &reader)
        try reader.finish()
        return trial
    }

    /// The hyperparameters a trial reads, and the values each accepts.
    static let learningRate = HyperparameterRule(
        "learning_rate", .real(valid: { $0 > 0 }, rule: "> 0"), default: .double(0.1))
    static let momentum = HyperparameterRule(
        "momentum", .real(valid: { $0 >= 0 && $0 < 1 }, rule: "in [0, 1)"), default: .double(0.9))
    static let l2 = HyperparameterRule("l2", .real(valid: { $0 >= 0 }, rule: "≥ 0"), default: .double(1e-4))
    static let batchSize = HyperparameterRule(
        "batch_size", .integer(valid: { $0 >= 1 && $0 <= 4096 }, rule: "in [1, 4096]"), default: .int(32))
    static let hiddenUnits = HyperparameterRule(
        "hidden_units", .integer(valid: { $0 >= 1 && $0 <= 4096 }, rule: "in [1, 4096]"), default: .int(64))
    static let activation = HyperparameterRule(
        "activation", .choice(Activation.allCases.map(\.rawValue)), default: .string("relu"))
    static let rules = [learningRate, momentum, l2, batchSize, hiddenUnits, activation]

    /// Checks that every value `space` can give a hyperparameter of this objective is one it accepts (a
    /// constant `activation: sigmoidd` would fail every trial): throws `SpaceParameterError` naming it.
    public func configured(for space: SearchSpace) throws -> any Objective {
        try HyperparameterRule.check(space, rules: Self.rules, objective: name)
        return self
    }

    private func makeDigitsTrial(config: Configuration, seed: UInt64) throws(ObjectiveError) -> DigitsMLPTrial {
        let reader = HyperparameterReader(config: config, objective: name)
        let settings = SGDSettings(
            learningRate: Float(try reader.double(Self.learningRate)),
            momentum: Float(try reader.double(Self.momentum)),
            l2: Float(try reader.double(Self.l2)),
            batchSize: try reader.int(Self.batchSize)
        )
        let hidden = try reader.int(Self.hiddenUnits)
        let activation = try reader.choice(Self.activation)
        return DigitsMLPTrial(
            objective: self, hidden: hidden, activation: Activation(rawValue: activation) ?? .relu,
            settings: settings, seed: seed)
    }
}

/// A digits classifier in training. Its weights, velocities and shuffle generator persist between
/// steps: that is its checkpoint, so a paused or promoted trial continues where it stopped.
final class DigitsMLPTrial: ObjectiveTrial, @unchecked Sendable {
    private let train: DigitsSubset
    private let validation: DigitsSubset
    private let settings: SGDSettings
    private let network: MultilayerPerceptron
    private var shuffle: SplitMix64
    private var order: [Int]
    private(set) var resource = 0
    static let tag = "digits-mlp/1"

    init(objective: DigitsMLPObjective, hidden: Int, activation: Activation, settings: SGDSettings, seed: UInt64) {
        train = objective.train
        validation = objective.validation
        self.settings = settings
        var initRNG = SplitMix64(seed: seed, stream: 1)
        network = MultilayerPerceptron(hidden: hidden, activation: activation, rng: &initRNG)
        shuffle = SplitMix64(seed: seed, stream: 2)
        order = Array(0..<objective.train.count)
    }

    /// Trains one epoch (a fresh seeded shuffle, then minibatches) and measures validation error.
    func step() throws -> Step {
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(shuffle.next() % UInt64(i + 1)))
        }
        network.trainEpoch(train, order: order, settings: settings)
        resource += 1
        return Step(resource: resource, value: network.errorRate(validation), cost: nil)
    }

    func checkpoint() -> [UInt8]? {
        var writer = CheckpointWriter(tag: Self.tag)
        writer.append(resource)
        writer.append(network.hidden)
        writer.append(shuffle.state)
        writer.append(order)
        writer.append(network.state)
        return writer.bytes
    }

    /// Reads what `checkpoint()` wrote into this freshly made trial.
    func restore(from reader: inout CheckpointReader) throws(ObjectiveError) {
        let resource = try reader.readInt()
        let hidden = try reader.readInt()
        let shuffleState = try reader.readUInt64()
        let order = try reader.readInts()
        let state = try reader.readFloats()
        guard resource >= 0 else { throw reader.corrupt("negative resource") }
        guard hidden == network.hidden else {
            throw reader.corrupt("made with hidden_units \(hidden), the configuration has \(network.hidden)")
        }
        guard order.sorted() == Array(0..<train.count) else { throw reader.corrupt("bad shuffle order") }
        guard network.restore(state) else { throw reader.corrupt("weights of the wrong size") }
        self.resource = resource
        self.order = order
        shuffle = SplitMix64(seed: shuffleState)
    }
}
