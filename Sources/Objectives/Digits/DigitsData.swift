import ASHA
import Foundation

/// The handwritten digits data set shipped with the package (`Resources/digits.csv`, see
/// `Resources/SOURCE.md`): 1797 8×8 images with pixel counts 0…16, and their labels 0…9.
public struct DigitsData: Sendable {
    /// Number of pixels (features) per image.
    public static let featureCount = 64
    /// Number of classes.
    public static let classCount = 10

    /// Pixels scaled to [0, 1] (count / 16), row-major, `featureCount` per image.
    public let features: [Float]
    /// The class of each image, 0…9.
    public let labels: [Int]
    /// The number of images.
    public var count: Int { labels.count }

    /// The bundled data set, read and parsed once per process on first use.
    public static let shared: Result<DigitsData, ObjectiveError> = {
        guard let url = Bundle.module.url(forResource: "digits", withExtension: "csv") else {
            return .failure(ObjectiveError("digits-mlp: resource digits.csv is missing from the bundle"))
        }
        do {
            let bytes = try [UInt8](Data(contentsOf: url))
            return .success(try DigitsData(csv: bytes, source: url.lastPathComponent))
        } catch let error as ObjectiveError {
            return .failure(error)
        } catch {
            return .failure(ObjectiveError("digits-mlp: cannot read \(url.path): \(error)"))
        }
    }()

    /// Parses rows of 65 comma-separated integers (64 pixels 0…16, then the label 0…9), no header.
    /// Errors name `source` and the line.
    public init(csv bytes: [UInt8], source: String) throws(ObjectiveError) {
        var features: [Float] = []
        var labels: [Int] = []
        features.reserveCapacity(1797 * DigitsData.featureCount)
        var limits = CSVLimits()
        limits.maxColumns = DigitsData.featureCount + 1
        limits.maxFieldBytes = 8
        let table = try CSVTable(bytes: bytes, source: source, limits: limits, hasHeader: false)
        for (line, text) in table.rows {
            var fields: [Int] = []
            for field in text {
                guard !field.isEmpty else { throw ObjectiveError("\(source):\(line): empty field") }
                guard let bad = field.first(where: { !("0"..."9").contains($0) }) else {
                    fields.append(Int(field)!)  // at most 8 decimal digits
                    continue
                }
                throw ObjectiveError("\(source):\(line): unexpected character '\(bad)'")
            }
            guard fields.count == DigitsData.featureCount + 1 else {
                throw ObjectiveError(
                    "\(source):\(line): expected \(DigitsData.featureCount + 1) fields, found \(fields.count)")
            }
            for pixel in fields.dropLast() {
                guard pixel <= 16 else { throw ObjectiveError("\(source):\(line): pixel \(pixel) outside 0…16") }
                features.append(Float(pixel) / 16)
            }
            guard fields[DigitsData.featureCount] < DigitsData.classCount else {
                throw ObjectiveError("\(source):\(line): label \(fields[DigitsData.featureCount]) outside 0…9")
            }
            labels.append(fields[DigitsData.featureCount])
        }
        guard !labels.isEmpty else { throw ObjectiveError("\(source): no rows") }
        self.features = features
        self.labels = labels
    }

    /// The images at `indices`, as a contiguous block.
    func subset(_ indices: [Int]) -> DigitsSubset {
        var x: [Float] = []
        x.reserveCapacity(indices.count * DigitsData.featureCount)
        for i in indices {
            x.append(contentsOf: features[i * DigitsData.featureCount..<(i + 1) * DigitsData.featureCount])
        }
        return DigitsSubset(features: x, labels: indices.map { labels[$0] })
    }

    /// Splits the images by a shuffle seeded with `seed` (the same for every trial): the first
    /// `round(count · validationFraction)` shuffled images validate, the rest train.
    func split(validationFraction: Double, seed: UInt64 = 0x00D1_6175) -> (
        train: DigitsSubset, validation: DigitsSubset
    ) {
        var order = Array(0..<count)
        var rng = SplitMix64(seed: seed)
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
        let validationCount = Int((Double(count) * validationFraction).rounded())
        return (subset(Array(order[validationCount...])), subset(Array(order[..<validationCount])))
    }
}

/// A contiguous block of images and their labels (a training or validation set).
struct DigitsSubset: Sendable {
    /// `featureCount` scaled pixels per image, row-major.
    let features: [Float]
    /// One label per image.
    let labels: [Int]
    var count: Int { labels.count }
}
