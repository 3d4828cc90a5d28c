import TextSafety

/// One cell of a grid: a character and the role that styles it. A character two columns wide (CJK,
/// emoji) sits in its first cell, and the cell after it holds `Cell.continuation`'s character.
public struct Cell: Equatable, Sendable {
    /// The character drawn (one column wide, or the first column of a wide one).
    public var character: Character
    /// How the cell is styled.
    public var role: StyleRole

    public init(_ character: Character, _ role: StyleRole = .normal) {
        self.character = character
        self.role = role
    }

    /// A blank cell.
    public static let blank = Cell(" ", .normal)

    /// The character of the second cell of a wide character (never drawn itself; NUL never passes the
    /// sanitizer, so no text can hold it).
    public static let continuationCharacter: Character = "\u{0}"

    /// Whether this cell is the second column of a wide character.
    public var isContinuation: Bool { character == Self.continuationCharacter }
}

/// A width×height buffer of cells: what the renderer produces, what tests compare, what the
/// terminal backend draws. Writes outside the grid are clipped.
public struct CellGrid: Equatable, Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Row-major cells.
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The cell at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Writes `text` starting at (`x`, `y`), clipped at `maxWidth` columns and the grid's edge. Wide
    /// characters take two cells (one that would not fit whole is left out); a character the grid cannot
    /// show (a control, or several scalars that are not one composed character) becomes `?`.
    /// Returns the column after the last character written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: StyleRole = .normal, maxWidth: Int = .max) -> Int {
        guard y >= 0, y < height else { return x }
        let limit = min(width, maxWidth == .max ? width : x + max(0, maxWidth))
        var col = x
        for ch in text {
            if col >= limit { break }
            let columns = Self.columns(of: ch)
            let shown = columns == 0 ? Sanitizer.replacement : ch
            if columns == 2 {
                if col + 1 >= limit { break }
                if col >= 0 {
                    set(col, y, Cell(shown, role))
                    set(col + 1, y, Cell(Cell.continuationCharacter, role))
                }
                col += 2
                continue
            }
            if col >= 0 { set(col, y, Cell(shown, role)) }
            col += 1
        }
        return col
    }

    /// Fills `count` cells of row `y` from column `x` with `character`.
    public mutating func fill(_ character: Character, x: Int, y: Int, count: Int, role: StyleRole = .normal) {
        guard y >= 0, y < height else { return }
        let from = max(0, x)
        let to = min(width, x + count)
        guard from < to else { return }
        let cell = Cell(character, role)
        set(from, y, cell)
        if to - 1 > from { set(to - 1, y, cell) }
        let base = y * width
        for c in from..<to { cells[base + c] = cell }
    }

    /// Sets one cell, first blanking the other half of any wide character it cuts in two.
    private mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        let i = y * width + x
        if cells[i].isContinuation, x > 0, !cell.isContinuation { cells[i - 1].character = " " }
        if x + 1 < width, cells[i + 1].isContinuation, Self.columns(of: cells[i].character) == 2 {
            cells[i + 1].character = " "
        }
        cells[i] = cell
    }

    /// Sets the role of `count` cells of row `y` from column `x`, keeping their characters.
    public mutating func restyle(x: Int, y: Int, count: Int, role: StyleRole) {
        guard y >= 0, y < height else { return }
        let from = max(0, x)
        let to = min(width, x + count)
        guard from < to else { return }
        let base = y * width
        for c in from..<to { cells[base + c].role = role }
    }

    /// Fills a rectangle with blanks.
    public mutating func clear(_ rect: Rect) {
        for row in rect.y..<(rect.y + rect.height) { fill(" ", x: rect.x, y: row, count: rect.width) }
    }

    /// The characters of row `y` as a terminal shows them (a wide character once), trailing spaces kept.
    public func rowText(_ y: Int) -> String {
        var s = ""
        s.reserveCapacity(width)
        for c in 0..<width where !cells[y * width + c].isContinuation { s.append(cells[y * width + c].character) }
        return s
    }

    /// The whole grid as text, one line per row (trailing spaces trimmed).
    public var text: String {
        (0..<height).map { Self.trimmed(rowText($0)) }.joined(separator: "\n") + "\n"
    }

    /// The roles of the grid, one letter per cell (see `StyleRole.letter`), trailing blanks trimmed.
    public var roleMap: String {
        var lines: [String] = []
        for y in 0..<height {
            var s = ""
            for c in 0..<width { s.append(cells[y * width + c].role.letter) }
            var t = Substring(s)
            while t.last == "." { t.removeLast() }
            lines.append(String(t))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The columns `ch` takes on a terminal: 1 or 2, or 0 when the grid cannot show it.
    @inline(__always)
    static func columns(of ch: Character) -> Int {
        if let a = ch.asciiValue { return a >= 0x20 && a < 0x7F ? 1 : 0 }
        let scalars = ch.unicodeScalars
        guard scalars.count == 1, let s = scalars.first, Sanitizer.visible(s) == s else { return 0 }
        return Sanitizer.columns(s)
    }

    private static func trimmed(_ s: String) -> String {
        var t = Substring(s)
        while t.last == " " { t.removeLast() }
        return String(t)
    }
}

/// A rectangle of cells.
public struct Rect: Equatable, Sendable {
    /// Left column (in a Rect).
    public var x: Int
    /// Top row.
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// The rectangle inside a one-cell border.
    public var inner: Rect { Rect(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }
}

/// A terminal size in cells.
public struct Size: Equatable, Sendable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}
