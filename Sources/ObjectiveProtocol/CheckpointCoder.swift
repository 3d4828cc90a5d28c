/// Writes a trial checkpoint: a tag naming the objective kind and format version, then
/// little-endian fixed-width fields.
public struct CheckpointWriter: Sendable {
    /// The checkpoint so far.
    public private(set) var bytes: [UInt8] = []

    /// Starts a checkpoint of kind `tag` (e.g. "synthetic/1").
    public init(tag: String) {
        append(UInt64(tag.utf8.count))
        bytes += tag.utf8
    }

    /// Appends a 64-bit word.
    public mutating func append(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Appends an integer (64 bits).
    public mutating func append(_ value: Int) { append(UInt64(bitPattern: Int64(value))) }

    /// Appends a count, then each float's 32 bits.
    public mutating func append(_ values: [Float]) {
        append(values.count)
        for value in values {
            let bits = value.bitPattern
            for shift in stride(from: 0, to: 32, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift)))
            }
        }
    }

    /// Appends a count, then each integer.
    public mutating func append(_ values: [Int]) {
        append(values.count)
        for value in values { append(value) }
    }
}

/// Reads what `CheckpointWriter` wrote; any mismatch (tag, length, trailing bytes) is an error.
public struct CheckpointReader: Sendable {
    private let bytes: [UInt8]
    private var offset = 0
    private let objective: String

    /// Checks that `bytes` start with `tag`.
    public init(_ bytes: [UInt8], tag: String, objective: String) throws(ObjectiveError) {
        self.bytes = bytes
        self.objective = objective
        let length = try readUInt64()
        guard length == UInt64(tag.utf8.count), offset + tag.utf8.count <= bytes.count,
            bytes[offset..<offset + tag.utf8.count].elementsEqual(tag.utf8)
        else { throw corrupt("not a \(tag) checkpoint") }
        offset += tag.utf8.count
    }

    /// The error for a checkpoint that is wrong in the way `why` says.
    public func corrupt(_ why: String) -> ObjectiveError {
        ObjectiveError("\(objective): invalid checkpoint: \(why)")
    }

    /// Reads a 64-bit word.
    public mutating func readUInt64() throws(ObjectiveError) -> UInt64 {
        guard offset + 8 <= bytes.count else { throw corrupt("truncated") }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
        offset += 8
        return value
    }

    /// Reads an integer.
    public mutating func readInt() throws(ObjectiveError) -> Int { Int(Int64(bitPattern: try readUInt64())) }

    /// A count, checked against what the remaining bytes can hold.
    private mutating func readCount(elementSize: Int) throws(ObjectiveError) -> Int {
        let count = try readInt()
        guard count >= 0, count <= (bytes.count - offset) / elementSize else { throw corrupt("truncated") }
        return count
    }

    /// Reads what `append(_: [Float])` wrote.
    public mutating func readFloats() throws(ObjectiveError) -> [Float] {
        let count = try readCount(elementSize: 4)
        var values: [Float] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            var bits: UInt32 = 0
            for index in 0..<4 { bits |= UInt32(bytes[offset + index]) << UInt32(8 * index) }
            offset += 4
            values.append(Float(bitPattern: bits))
        }
        return values
    }

    /// Reads what `append(_: [Int])` wrote.
    public mutating func readInts() throws(ObjectiveError) -> [Int] {
        let count = try readCount(elementSize: 8)
        var values: [Int] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readInt()) }
        return values
    }

    /// Throws unless every byte was read.
    public func finish() throws(ObjectiveError) {
        guard offset == bytes.count else { throw corrupt("\(bytes.count - offset) unexpected trailing bytes") }
    }
}
