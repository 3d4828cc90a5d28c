/// Appends compact JSON to a byte buffer with a fixed member order, so a log's bytes are stable.
/// Doubles are written in Swift's shortest round-trip form (or rounded to the microsecond, with
/// `microseconds`); NaN and ±Infinity, which JSON lacks, as the strings "NaN", "Infinity" and "-Infinity".
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    public init(reserving capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Empties the buffer for reuse.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma.removeAll(keepingCapacity: true)
    }

    /// Appends one raw byte (a newline between lines).
    public mutating func appendRaw(_ byte: UInt8) { bytes.append(byte) }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }

    public mutating func endObject() { close(UInt8(ascii: "}")) }

    public mutating func beginArray() { open(UInt8(ascii: "[")) }

    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Writes `items` as an array, each item with `item`.
    public mutating func array<S: Sequence>(_ items: S, _ item: (inout JSONWriter, S.Element) -> Void) {
        beginArray()
        for x in items { item(&self, x) }
        endArray()
    }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        needsComma.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        needsComma.removeLast()
    }

    /// Writes a member name; the next value written is its value.
    public mutating func key(_ k: String) {
        separate()
        writeString(k)
        bytes.append(UInt8(ascii: ":"))
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = false }
    }

    public mutating func string(_ s: String) {
        separate()
        writeString(s)
    }

    public mutating func int(_ v: Int) {
        separate()
        bytes.append(contentsOf: String(v).utf8)
    }

    public mutating func double(_ v: Double) {
        separate()
        if v.isNaN {
            writeString("NaN")
        } else if v.isInfinite {
            writeString(v > 0 ? "Infinity" : "-Infinity")
        } else {
            bytes.append(contentsOf: v.description.utf8)
        }
    }

    /// The largest magnitude `microseconds` rounds: its count of microseconds stays below 2^53, so the
    /// number written parses back as exactly `(v * 1e6).rounded() / 1e6`.
    public static let maxMicrosecondValue = 1e9

    /// Writes `v` rounded to the microsecond, as a decimal with one to six fraction digits (trailing zeros
    /// dropped: `2.5`, `0.000123`, `7.0`); a reader parses it as `(v * 1e6).rounded() / 1e6`. Non-finite
    /// values and values of `maxMicrosecondValue` or more in magnitude are written as `double` writes them.
    public mutating func microseconds(_ v: Double) {
        guard v.isFinite, v.magnitude < Self.maxMicrosecondValue else { return double(v) }
        separate()
        let count = Int64((v * 1e6).rounded())
        if count < 0 { bytes.append(UInt8(ascii: "-")) }
        let whole = count.magnitude / 1_000_000
        var fraction = count.magnitude % 1_000_000
        bytes.append(contentsOf: String(whole).utf8)
        bytes.append(UInt8(ascii: "."))
        guard fraction > 0 else { return bytes.append(UInt8(ascii: "0")) }
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        var place: UInt64 = 1
        for _ in 1..<digits { place *= 10 }
        while place > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / place % 10))
            place /= 10
        }
    }

    public mutating func bool(_ v: Bool) {
        separate()
        bytes.append(contentsOf: (v ? "true" : "false").utf8)
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Writes a member: its name, then its value.
    public mutating func member(_ k: String, _ v: some JSONScalar) {
        key(k)
        v.write(to: &self)
    }

    /// Writes a member whose value may be missing: `null` when it is.
    public mutating func member(_ k: String, _ v: (some JSONScalar)?) {
        key(k)
        if let v { v.write(to: &self) } else { null() }
    }

    /// Writes a value of any kind (used for configurations and specs).
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let d, let i): if let i { int(i) } else { double(d) }
        case .string(let s): string(s)
        case .array(let items):
            beginArray()
            for item in items { value(item) }
            endArray()
        case .object(let members):
            beginObject()
            for (k, item) in members {
                key(k)
                value(item)
            }
            endObject()
        }
    }

    private mutating func separate() {
        guard !needsComma.isEmpty else { return }
        if needsComma[needsComma.count - 1] {
            bytes.append(UInt8(ascii: ","))
        } else {
            needsComma[needsComma.count - 1] = true
        }
    }

    private mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings (every key) need no escape: copied in one piece.
        let plain = s.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if plain == true { return bytes.append(UInt8(ascii: "\"")) }
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(hex[Int(c >> 4)])
                bytes.append(hex[Int(c & 0xF)])
            default: bytes.append(c)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// A value written as one JSON number or string (see `JSONWriter.member`).
public protocol JSONScalar {
    func write(to w: inout JSONWriter)
}

extension Int: JSONScalar {
    public func write(to w: inout JSONWriter) { w.int(self) }
}

extension Double: JSONScalar {
    public func write(to w: inout JSONWriter) { w.double(self) }
}

extension String: JSONScalar {
    public func write(to w: inout JSONWriter) { w.string(self) }
}
