import ASHA
import Foundation

/// The hidden layer's nonlinearity.
enum Activation: String, Sendable, CaseIterable {
    case relu
    case tanh
}

/// Training hyperparameters of one epoch of minibatch SGD with momentum.
struct SGDSettings: Sendable, Equatable {
    var learningRate: Float
    var momentum: Float
    /// L2 penalty coefficient on the weights (not the biases): the loss gains l2/2 · ‖w‖².
    var l2: Float
    var batchSize: Int
}

/// A 64 → hidden → 10 perceptron with softmax cross-entropy, trained by minibatch SGD with
/// (heavy-ball) momentum: v ← μv − η(∇ + λw), w ← w + v, the gradient averaged over the batch.
///
/// Parameters, velocities and gradients live in three flat buffers laid out [W1 | b1 | W2 | b2],
/// W1 input-major (64 × hidden), W2 hidden-major (hidden × 10), so the inner loops are contiguous.
/// Not thread-safe: owned by one trial.
final class MultilayerPerceptron {
    static let inputs = DigitsData.featureCount
    static let outputs = DigitsData.classCount

    let hidden: Int
    let activation: Activation
    private let count: Int
    private let b1Offset: Int
    private let w2Offset: Int
    private let b2Offset: Int
    private let parameters: UnsafeMutablePointer<Float>
    private let velocity: UnsafeMutablePointer<Float>
    private let gradient: UnsafeMutablePointer<Float>
    /// Per-row scratch: hidden activations, their gradient, output logits.
    private let h: UnsafeMutablePointer<Float>
    private let dh: UnsafeMutablePointer<Float>
    private let logits: UnsafeMutablePointer<Float>

    /// Weights drawn from N(0, 2/fan-in) for ReLU, N(0, 1/fan-in) for tanh; biases and velocities 0.
    init(hidden: Int, activation: Activation, rng: inout SplitMix64) {
        let inputs = Self.inputs
        let outputs = Self.outputs
        self.hidden = hidden
        self.activation = activation
        b1Offset = inputs * hidden
        w2Offset = b1Offset + hidden
        b2Offset = w2Offset + hidden * outputs
        count = b2Offset + outputs
        parameters = .allocate(capacity: count)
        velocity = .allocate(capacity: count)
        gradient = .allocate(capacity: count)
        h = .allocate(capacity: hidden)
        dh = .allocate(capacity: hidden)
        logits = .allocate(capacity: outputs)
        parameters.initialize(repeating: 0, count: count)
        velocity.initialize(repeating: 0, count: count)
        gradient.initialize(repeating: 0, count: count)
        h.initialize(repeating: 0, count: hidden)
        dh.initialize(repeating: 0, count: hidden)
        logits.initialize(repeating: 0, count: outputs)
        let gain = activation == .relu ? 2.0 : 1.0
        let std1 = (gain / Double(inputs)).squareRoot()
        for i in 0..<b1Offset { parameters[i] = Float(std1 * rng.nextGaussian()) }
        let std2 = (1.0 / Double(hidden)).squareRoot()
        for i in w2Offset..<b2Offset { parameters[i] = Float(std2 * rng.nextGaussian()) }
    }

    deinit {
        parameters.deallocate()
        velocity.deallocate()
        gradient.deallocate()
        h.deallocate()
        dh.deallocate()
        logits.deallocate()
    }

    /// Computes the hidden activations and logits of one image into the scratch buffers.
    @inline(__always)
    private func forward(_ x: UnsafePointer<Float>) {
        let hidden = self.hidden
        let w1 = parameters
        let b1 = parameters + b1Offset
        let w2 = parameters + w2Offset
        let b2 = parameters + b2Offset
        for j in 0..<hidden { h[j] = b1[j] }
        for i in 0..<Self.inputs {
            let xi = x[i]
            if xi == 0 { continue }  // about half the pixels are blank
            let row = w1 + i * hidden
            for j in 0..<hidden { h[j] += xi * row[j] }
        }
        switch activation {
        case .relu: for j in 0..<hidden { h[j] = max(h[j], 0) }
        case .tanh: for j in 0..<hidden { h[j] = Foundation.tanh(h[j]) }
        }
        for k in 0..<Self.outputs { logits[k] = b2[k] }
        for j in 0..<hidden {
            let hj = h[j]
            if hj == 0 { continue }
            let row = w2 + j * Self.outputs
            for k in 0..<Self.outputs { logits[k] += hj * row[k] }
        }
    }

    /// One pass over `data` in the order `order`, in minibatches of `settings.batchSize` (the last
    /// one may be smaller).
    func trainEpoch(_ data: DigitsSubset, order: [Int], settings: SGDSettings) {
        data.features.withUnsafeBufferPointer { features in
            var start = 0
            while start < order.count {
                let end = min(start + settings.batchSize, order.count)
                gradient.update(repeating: 0, count: count)
                for position in start..<end {
                    let row = order[position]
                    accumulateGradient(features.baseAddress! + row * Self.inputs, label: data.labels[row])
                }
                applyUpdate(batch: end - start, settings: settings)
                start = end
            }
        }
    }

    /// Adds the cross-entropy gradient of one image to `gradient`.
    @inline(__always)
    private func accumulateGradient(_ x: UnsafePointer<Float>, label: Int) {
        forward(x)
        let hidden = self.hidden
        let outputs = Self.outputs
        // Softmax; the logits become dLoss/dlogits = p − onehot.
        var top = logits[0]
        for k in 1..<outputs { top = max(top, logits[k]) }
        var sum: Float = 0
        for k in 0..<outputs {
            logits[k] = expf(logits[k] - top)
            sum += logits[k]
        }
        let inverse = 1 / sum
        for k in 0..<outputs { logits[k] *= inverse }
        logits[label] -= 1
        let w2 = parameters + w2Offset
        let gw1 = gradient
        let gb1 = gradient + b1Offset
        let gw2 = gradient + w2Offset
        let gb2 = gradient + b2Offset
        for k in 0..<outputs { gb2[k] += logits[k] }
        for j in 0..<hidden {
            let hj = h[j]
            let wRow = w2 + j * outputs
            let gRow = gw2 + j * outputs
            var back: Float = 0
            for k in 0..<outputs {
                gRow[k] += hj * logits[k]
                back += wRow[k] * logits[k]
            }
            switch activation {
            case .relu: dh[j] = hj > 0 ? back : 0
            case .tanh: dh[j] = back * (1 - hj * hj)
            }
        }
        for j in 0..<hidden { gb1[j] += dh[j] }
        for i in 0..<Self.inputs {
            let xi = x[i]
            if xi == 0 { continue }
            let row = gw1 + i * hidden
            for j in 0..<hidden { row[j] += xi * dh[j] }
        }
    }

    /// v ← μv − η(g/B + λw) (λ on weights only), w ← w + v.
    private func applyUpdate(batch: Int, settings: SGDSettings) {
        let scale = 1 / Float(batch)
        let rate = settings.learningRate
        let mu = settings.momentum
        let l2 = settings.l2
        for (range, decay) in [
            (0..<b1Offset, l2), (b1Offset..<w2Offset, 0), (w2Offset..<b2Offset, l2), (b2Offset..<count, 0),
        ] {
            for i in range {
                let g = gradient[i] * scale + decay * parameters[i]
                velocity[i] = mu * velocity[i] - rate * g
                parameters[i] += velocity[i]
            }
        }
    }

    /// The trainable state: parameters, then velocities.
    var state: [Float] {
        Array(UnsafeBufferPointer(start: parameters, count: count))
            + Array(UnsafeBufferPointer(start: velocity, count: count))
    }

    /// Replaces the trainable state with `values` (as `state` returned); false if the sizes differ.
    func restore(_ values: [Float]) -> Bool {
        guard values.count == 2 * count else { return false }
        values.withUnsafeBufferPointer { source in
            parameters.update(from: source.baseAddress!, count: count)
            velocity.update(from: source.baseAddress! + count, count: count)
        }
        return true
    }

    /// The fraction of `data` misclassified (argmax of the logits, ties to the lower class), or
    /// NaN when some logit is not finite (training diverged).
    func errorRate(_ data: DigitsSubset) -> Double {
        data.features.withUnsafeBufferPointer { features in
            var wrong = 0
            for row in 0..<data.count {
                forward(features.baseAddress! + row * Self.inputs)
                var best = 0
                for k in 0..<Self.outputs {
                    guard logits[k].isFinite else { return .nan }
                    if logits[k] > logits[best] { best = k }
                }
                if best != data.labels[row] { wrong += 1 }
            }
            return Double(wrong) / Double(data.count)
        }
    }
}
