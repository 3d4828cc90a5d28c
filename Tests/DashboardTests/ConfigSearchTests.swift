import ASHA
import Foundation
import RunLog
import Testing

@testable import Dashboard

/// The word filter searches the configuration's text without making it: it finds what searching the
/// lower-case `configText` finds.
@Suite("Word filter search")
struct ConfigSearchTests {
    static func short(_ d: Double) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            var n = 0
            ConfigSearch.appendShort(d, to: buffer.baseAddress!, at: &n)
            return String(decoding: UnsafeBufferPointer(start: buffer.baseAddress!, count: n), as: UTF8.self)
        }
    }

    @Test func realsAreWrittenAsFormatShortWritesThem() {
        var values: [Double] = [
            0, -0.0, .nan, .infinity, -.infinity, 0.5, -0.5, 0.1234565, 0.12345649999, 123456.5, 1_234_565,
            999999.5, 999999.4999, 9_999_995, 0.0001, 0.00009999995, 0.000099999949, 1e-5, 1.5e-5, 100000.5,
            1e15, 1e15 + 0.5, 1e16, 1e21, 1e22, 1e23, 1.0000005, 2.5e-7, .leastNonzeroMagnitude,
            .leastNormalMagnitude, .greatestFiniteMagnitude, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 12.5, 0.000123456789,
            98765.4321,
        ]
        var rng = SplitMix64(seed: 3)
        for _ in 0..<100_000 {
            values.append(Double(bitPattern: rng.next()))
            let unit = Double(rng.next() >> 11) / Double(1 << 53)
            values.append((Double(rng.next() % 2) * 2 - 1) * pow(10, unit * 30 - 15))
            // Six-digit values and ties at the seventh digit, at every scale.
            let six = Double(100_000 + rng.next() % 900_000)
            let scale = pow(10, Double(Int(rng.next() % 24)) - 12)
            values.append(six * scale)
            values.append((six + 0.5) / 1_000_000 * scale)
        }
        var wrong: [String] = []
        for d in values where Self.short(d) != formatShort(d).lowercased() {
            wrong.append("\(d): \(Self.short(d)) vs \(formatShort(d))")
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(10))")
    }

    /// Configurations of every kind of value and name: the search answers as a search of the text does.
    @Test func searchingFindsWhatTheTextHolds() {
        var rng = SplitMix64(seed: 11)
        let names = ["lr", "Batch_Size", "x1", "momentum", "学习率", "a\u{1B}[31mb", String(repeating: "n", count: 300)]
        let strings = ["adam", "SGD", "rms prop", "ü", "a\tb"]
        func value() -> ParameterValue {
            switch rng.next() % 5 {
            case 0: return .int(Int(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 60)))
            case 1: return .bool(rng.next() % 2 == 0)
            case 2: return .string(strings[Int(rng.next() % UInt64(strings.count))])
            default:
                let unit = Double(rng.next() >> 11) / Double(1 << 53)
                return .double(pow(10, unit * 12 - 8) * (rng.next() % 4 == 0 ? -1 : 1))
            }
        }
        var checked = 0
        for round in 0..<3000 {
            let count = Int(rng.next() % 5)
            // Plain names most of the time (shared, as a run's are), sometimes odd ones.
            let odd = round % 5 == 0
            let entries = (0..<count).map { i in
                Configuration.Entry(
                    name: odd ? names[Int(rng.next() % UInt64(names.count))] : names[i % 4],
                    value: round % 2 == 0 ? .double(Double(rng.next() >> 11) / Double(1 << 40)) : value())
            }
            let config = Configuration(entries)
            let stored = StoredConfiguration(config)
            let text = Array(TrialRecord.configText(config).lowercased().utf8)
            var needles: [[UInt8]] = [Array("e".utf8), Array("=0.".utf8), Array("1 ".utf8), Array("zz".utf8)]
            if !text.isEmpty {
                for _ in 0..<4 {
                    let a = Int(rng.next() % UInt64(text.count))
                    let b = min(text.count, a + 1 + Int(rng.next() % 8))
                    needles.append(Array(text[a..<b]))
                }
            }
            for needle in needles {
                let expected = ConfigSearch.search(text, needle)
                #expect(ConfigSearch.contains(stored, needle) == expected, "\(config) '\(needle)'")
                checked += 1
            }
        }
        #expect(checked > 20_000)
    }

    @Test func aWordTypedFurtherNarrowsTheFilter() throws {
        func parse(_ text: String) throws -> TrialFilter {
            try TrialFilter.parse(text, parameters: ["lr"], metric: "loss").get()
        }
        #expect(try parse("adam").narrows(parse("ad")))
        #expect(try parse("rung>=1 ad").narrows(parse("rung>=1")))
        #expect(try parse("0.01").narrows(parse("0")))
        // A number is also a trial id: 38 does not match only trials that 3 matched.
        #expect(try !parse("38").narrows(parse("3")))
        #expect(try !parse("dam").narrows(parse("ad")))
        #expect(try !parse("ad").narrows(parse("adam")))
        #expect(try !parse("rung>=2").narrows(parse("rung>=1")))
    }
}
