/// Limits on a CSV file, so a wrong path (a log, a binary) fails fast instead of exhausting memory.
public struct CSVLimits: Sendable, Hashable {
    /// Largest file accepted, in bytes.
    public var maxBytes = 100 * 1024 * 1024
    /// Most data rows accepted (the header not counted).
    public var maxRows = 1_000_000
    /// Most columns accepted.
    public var maxColumns = 256
    /// Longest field accepted, in bytes.
    public var maxFieldBytes = 1024

    /// The default limits: 100 MiB, 1,000,000 rows, 256 columns, 1024-byte fields.
    public init() {}
}

/// A parsed CSV file: a header and rows of as many fields, each row with its 1-based line number (or,
/// for a file without a header, rows as they come). The one CSV reader of the package: curve tables
/// and the digits data both read through it.
///
/// Fields are separated by commas; surrounding spaces are trimmed; a field may be quoted with
/// double quotes (`""` inside stands for one quote) but may not span lines. Blank lines are
/// skipped; `\r\n` line ends and a leading UTF-8 byte order mark are accepted.
struct CSVTable {
    let source: String
    let header: [String]
    let rows: [(line: Int, fields: [String])]

    /// Parses `bytes`; errors name `source`, the line and, where it applies, the column. Without
    /// `hasHeader`, every line is a row and `header` is empty (the caller checks the field counts).
    init(bytes: [UInt8], source: String, limits: CSVLimits = CSVLimits(), hasHeader: Bool = true)
        throws(ObjectiveError)
    {
        self.source = source
        guard bytes.count <= limits.maxBytes else {
            throw ObjectiveError("\(source): file is larger than \(limits.maxBytes) bytes")
        }
        var header: [String]? = hasHeader ? nil : []
        var rows: [(line: Int, fields: [String])] = []
        var line = 0
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0  // a UTF-8 byte order mark
        while start < bytes.count {
            line += 1
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let next = end + 1
            if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            defer { start = next }
            if bytes[start..<end].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            let fields = try CSVTable.fields(of: bytes[start..<end], line: line, source: source, limits: limits)
            if let header {
                guard !hasHeader || fields.count == header.count else {
                    throw ObjectiveError(
                        "\(source):\(line): expected \(header.count) fields as in the header, found \(fields.count)")
                }
                guard rows.count < limits.maxRows else {
                    throw ObjectiveError("\(source):\(line): more than \(limits.maxRows) data rows")
                }
                rows.append((line, fields))
            } else {
                try CSVTable.checkHeader(fields, source: source, line: line, limits: limits)
                header = fields
            }
        }
        guard let header else { throw ObjectiveError("\(source): empty file (no header row)") }
        self.header = header
        self.rows = rows
    }

    private static func checkHeader(_ fields: [String], source: String, line: Int, limits: CSVLimits)
        throws(ObjectiveError)
    {
        guard fields.count <= limits.maxColumns else {
            throw ObjectiveError("\(source):\(line): more than \(limits.maxColumns) columns")
        }
        var seen: Set<String> = []
        for (index, name) in fields.enumerated() {
            guard !name.isEmpty else { throw ObjectiveError("\(source):\(line): column \(index + 1) has no name") }
            guard seen.insert(name).inserted else {
                throw ObjectiveError("\(source):\(line): column \(index + 1) repeats the name '\(name)'")
            }
        }
    }

    /// Splits one line into fields.
    private static func fields(of bytes: ArraySlice<UInt8>, line: Int, source: String, limits: CSVLimits)
        throws(ObjectiveError) -> [String]
    {
        var fields: [String] = []
        var field: [UInt8] = []
        var index = bytes.startIndex
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        while true {
            let column = fields.count + 1
            field.removeAll(keepingCapacity: true)
            while index < bytes.endIndex && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")) {
                index += 1
            }
            if index < bytes.endIndex && bytes[index] == quote {
                index += 1
                var closed = false
                while index < bytes.endIndex {
                    if bytes[index] == quote {
                        if index + 1 < bytes.endIndex && bytes[index + 1] == quote {
                            field.append(quote)
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    field.append(bytes[index])
                    index += 1
                }
                guard closed else { throw ObjectiveError("\(source):\(line): column \(column): unterminated quote") }
                while index < bytes.endIndex
                    && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t"))
                {
                    index += 1
                }
                guard index == bytes.endIndex || bytes[index] == comma else {
                    throw ObjectiveError("\(source):\(line): column \(column): text after a closing quote")
                }
            } else {
                while index < bytes.endIndex && bytes[index] != comma {
                    if bytes[index] == quote {
                        throw ObjectiveError("\(source):\(line): column \(column): quote inside an unquoted field")
                    }
                    field.append(bytes[index])
                    index += 1
                }
                while let last = field.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
                    field.removeLast()
                }
            }
            guard field.count <= limits.maxFieldBytes else {
                throw ObjectiveError(
                    "\(source):\(line): column \(column): field longer than \(limits.maxFieldBytes) bytes")
            }
            fields.append(String(decoding: field, as: UTF8.self))
            guard fields.count <= limits.maxColumns else {
                throw ObjectiveError("\(source):\(line): more than \(limits.maxColumns) columns")
            }
            if index == bytes.endIndex { return fields }
            index += 1  // the comma
        }
    }
}
