import ASHA

extension ParameterValue {
    /// The value as a real number: doubles and ints (not booleans or strings).
    var realValue: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .bool, .string: return nil
        }
    }

    /// The value as an integer: ints, and doubles with an integral value in `Int`'s range.
    var integerValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.isFinite, d == d.rounded(), abs(d) < 9.0e18 else { return nil }
            return Int(d)
        case .bool, .string: return nil
        }
    }

    /// The value as a boolean (booleans only).
    var booleanValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value as a string (strings only).
    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value with its type, for error messages: `string "abc"`, `int 3`.
    var typedDescription: String {
        switch self {
        case .double(let d): return "double \(formatShort(d))"
        case .int(let i): return "int \(i)"
        case .bool(let b): return "bool \(b)"
        case .string(let s): return "string \"\(s)\""
        }
    }
}
