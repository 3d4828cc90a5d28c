import ASHA

/// A trial's configuration as the run's state and the dashboard keep it: numbers (reals, integers,
/// booleans) as their 64 bits in one small array, beside the parameter names shared with the trials
/// before it; any other configuration (a string value, more than 32 parameters, other names) as it is.
///
/// A decoded `Configuration` of two reals takes 128 bytes of heap (its entries carry their names and a
/// value wide enough for a string); packed, 64. A replay of a 10,000,000-event log holds 650,000 of them.
/// `configuration` gives back exactly the configuration packed (names, order, kinds and bit patterns).
public struct StoredConfiguration: Sendable {
    private enum Storage: Sendable {
        case plain(Configuration)
        /// `packed[0]`: two bits a parameter (0 real, 1 integer, 2 boolean); then each value's bits.
        case numbers(names: [String], packed: ContiguousArray<UInt64>)
    }

    private let storage: Storage

    /// An empty configuration.
    public init() { storage = .plain(Configuration([])) }

    /// `config`, packed when it holds only numbers, sharing the names of `previous` when they are the same.
    public init(_ config: Configuration, sharingNamesWith previous: StoredConfiguration? = nil) {
        let entries = config.entries
        guard entries.count <= 32 else {
            storage = .plain(config)
            return
        }
        var packed = ContiguousArray<UInt64>()
        packed.reserveCapacity(entries.count + 1)
        packed.append(0)
        var kinds: UInt64 = 0
        for (i, e) in entries.enumerated() {
            switch e.value {
            case .double(let d): packed.append(d.bitPattern)
            case .int(let n):
                kinds |= 1 << UInt64(2 * i)
                packed.append(UInt64(bitPattern: Int64(n)))
            case .bool(let b):
                kinds |= 2 << UInt64(2 * i)
                packed.append(b ? 1 : 0)
            case .string:
                storage = .plain(config)
                return
            }
        }
        packed[0] = kinds
        var names = entries.map(\.name)
        if case .numbers(let shared, _)? = previous?.storage, shared == names { names = shared }
        storage = .numbers(names: names, packed: packed)
    }

    /// The configuration stored.
    public var configuration: Configuration {
        switch storage {
        case .plain(let c): return c
        case .numbers(let names, let packed):
            return Configuration(
                names.indices.map { Configuration.Entry(name: names[$0], value: Self.value($0, packed)) })
        }
    }

    /// Parameters in it.
    public var count: Int {
        switch storage {
        case .plain(let c): return c.entries.count
        case .numbers(let names, _): return names.count
        }
    }

    /// The name of parameter `i` (0 ..< count).
    public func name(at i: Int) -> String {
        switch storage {
        case .plain(let c): return c.entries[i].name
        case .numbers(let names, _): return names[i]
        }
    }

    /// The value of parameter `i` (0 ..< count), without building the configuration.
    public func value(at i: Int) -> ParameterValue {
        switch storage {
        case .plain(let c): return c.entries[i].value
        case .numbers(_, let packed): return Self.value(i, packed)
        }
    }

    /// The value of the parameter called `name`, looked up at position `index` first.
    public func value(named name: String, at index: Int) -> ParameterValue? {
        if index >= 0, index < count, self.name(at: index) == name { return value(at: index) }
        return (0..<count).first { self.name(at: $0) == name }.map(value(at:))
    }

    private static func value(_ i: Int, _ packed: ContiguousArray<UInt64>) -> ParameterValue {
        let bits = packed[i + 1]
        switch (packed[0] >> UInt64(2 * i)) & 3 {
        case 1: return .int(Int(Int64(bitPattern: bits)))
        case 2: return .bool(bits != 0)
        default: return .double(Double(bitPattern: bits))
        }
    }
}
