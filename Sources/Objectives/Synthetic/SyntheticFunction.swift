import Foundation

/// A classic test function for global optimisation, with its box, its optimum and its minimisers.
/// Used through `SyntheticObjective`, and directly by benchmarks that measure regret.
public struct SyntheticFunction: Sendable {
    /// The function's name (`branin`, `hartmann6`).
    public let name: String
    /// The coordinates' names (`x1`, `x2`, …) and their boxes, in order.
    public let coordinates: [(name: String, low: Double, high: Double)]
    /// The global minimum value.
    public let optimum: Double
    /// Points where the global minimum is attained (to the published precision).
    public let minimizers: [[Double]]
    private let body: @Sendable ([Double]) -> Double

    /// Evaluates the function at `x` (one value per coordinate, in order).
    public func callAsFunction(_ x: [Double]) -> Double {
        precondition(x.count == coordinates.count, "\(name) takes \(coordinates.count) coordinates")
        return body(x)
    }

    /// Branin–Hoo on x1 ∈ [−5, 10], x2 ∈ [0, 15]; minimum 0.397887 at (−π, 12.275), (π, 2.275) and
    /// (9.42478, 2.475).
    public static let branin = SyntheticFunction(
        name: "branin",
        coordinates: [("x1", -5, 10), ("x2", 0, 15)],
        optimum: 0.397_887,
        minimizers: [[-Double.pi, 12.275], [Double.pi, 2.275], [9.424_78, 2.475]],
        body: { x in
            let b = 5.1 / (4 * Double.pi * Double.pi)
            let c = 5 / Double.pi
            let t = 1 / (8 * Double.pi)
            let inner = x[1] - b * x[0] * x[0] + c * x[0] - 6
            return inner * inner + 10 * (1 - t) * cos(x[0]) + 10
        }
    )

    /// Hartmann 6-D on [0, 1]^6; minimum −3.32237 at
    /// (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
    public static let hartmann6 = SyntheticFunction(
        name: "hartmann6",
        coordinates: (1...6).map { ("x\($0)", 0, 1) },
        optimum: -3.322_37,
        minimizers: [[0.201_69, 0.150_011, 0.476_874, 0.275_332, 0.311_652, 0.657_3]],
        body: { x in
            let alpha = [1.0, 1.2, 3.0, 3.2]
            let a: [[Double]] = [
                [10, 3, 17, 3.5, 1.7, 8],
                [0.05, 10, 17, 0.1, 8, 14],
                [3, 3.5, 1.7, 10, 17, 8],
                [17, 8, 0.05, 10, 0.1, 14],
            ]
            let p: [[Double]] = [
                [1312, 1696, 5569, 124, 8283, 5886],
                [2329, 4135, 8307, 3736, 1004, 9991],
                [2348, 1451, 3522, 2883, 3047, 6650],
                [4047, 8828, 8732, 5743, 1091, 381],
            ]
            var sum = 0.0
            for i in 0..<4 {
                var exponent = 0.0
                for j in 0..<6 {
                    let d = x[j] - p[i][j] * 1e-4
                    exponent += a[i][j] * d * d
                }
                sum += alpha[i] * exp(-exponent)
            }
            return -sum
        }
    )
}
