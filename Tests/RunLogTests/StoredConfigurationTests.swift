import ASHA
import RunLog
import Testing

/// A packed configuration gives back exactly the configuration it was made from.
@Suite("Stored configuration")
struct StoredConfigurationTests {
    typealias Entry = Configuration.Entry

    static func bits(_ c: Configuration) -> [String] {
        c.entries.map { e in
            switch e.value {
            case .double(let d): return "\(e.name) d \(d.bitPattern)"
            case .int(let n): return "\(e.name) i \(n)"
            case .bool(let b): return "\(e.name) b \(b)"
            case .string(let s): return "\(e.name) s \(s)"
            }
        }
    }

    @Test func numbersComeBackBitForBit() {
        let config = Configuration([
            Entry(name: "lr", value: .double(1e-3)), Entry(name: "zero", value: .double(-0.0)),
            Entry(name: "nan", value: .double(Double(bitPattern: 0x7FF8_0000_0000_0123))),
            Entry(name: "inf", value: .double(-.infinity)), Entry(name: "layers", value: .int(-7)),
            Entry(name: "big", value: .int(Int.max)), Entry(name: "small", value: .int(Int.min)),
            Entry(name: "flag", value: .bool(true)), Entry(name: "off", value: .bool(false)),
        ])
        let stored = StoredConfiguration(config)
        #expect(Self.bits(stored.configuration) == Self.bits(config))
        #expect(stored.count == 9 && stored.name(at: 4) == "layers" && stored.value(at: 4) == .int(-7))
        #expect(stored.value(named: "flag", at: 0) == .bool(true))
        #expect(stored.value(named: "lr", at: 0) == .double(1e-3))
        #expect(stored.value(named: "missing", at: 2) == nil)
    }

    @Test func stringsAndLongConfigurationsAreKeptAsTheyAre() {
        let mixed = Configuration([Entry(name: "opt", value: .string("adam")), Entry(name: "lr", value: .double(0.1))])
        #expect(StoredConfiguration(mixed).configuration == mixed)
        #expect(StoredConfiguration(mixed).value(named: "opt", at: 1) == .string("adam"))
        let long = Configuration((0..<40).map { Entry(name: "p\($0)", value: .int($0)) })
        #expect(StoredConfiguration(long).configuration == long)
        #expect(StoredConfiguration().configuration == Configuration([]))
    }

    @Test func theRunStateKeepsEveryTrialsConfiguration() {
        // Trials with the same names share them; a trial with other names keeps its own.
        let a = Configuration([Entry(name: "x", value: .double(1)), Entry(name: "y", value: .int(2))])
        let b = Configuration([Entry(name: "x", value: .double(3)), Entry(name: "y", value: .int(4))])
        let c = Configuration([Entry(name: "y", value: .int(5)), Entry(name: "x", value: .double(6))])
        let first = StoredConfiguration(a)
        let second = StoredConfiguration(b, sharingNamesWith: first)
        let third = StoredConfiguration(c, sharingNamesWith: second)
        #expect(first.configuration == a && second.configuration == b && third.configuration == c)
        #expect(third.value(named: "x", at: 0) == .double(6))
    }
}
