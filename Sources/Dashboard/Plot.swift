import Foundation

/// Draws a line chart into a rectangle of cells: braille dots (2×4 per cell) in UTF-8, '*' per cell
/// in ASCII. Axes are linear in y and linear or logarithmic in x.
struct Plot {
    var rect: Rect
    var xMin: Double
    var xMax: Double
    var yMin: Double
    var yMax: Double
    var logX: Bool
    var ascii: Bool
    /// A logarithmic value axis (`yMin` must be positive).
    var logY = false

    private var dotsWide: Int { rect.width * (ascii ? 1 : 2) }
    private var dotsHigh: Int { rect.height * (ascii ? 1 : 4) }

    /// The dot column of `x`.
    func dotX(_ x: Double) -> Int {
        let f: Double
        if logX {
            let lo = log2(max(xMin, 1e-12))
            let hi = log2(max(xMax, 1e-12))
            f = hi > lo ? (log2(max(x, 1e-12)) - lo) / (hi - lo) : 0
        } else {
            f = xMax > xMin ? (x - xMin) / (xMax - xMin) : 0
        }
        return clampedInt((f * Double(dotsWide - 1)).rounded(), 0, dotsWide - 1)
    }

    /// The dot row of `y` (0 at the top).
    func dotY(_ y: Double) -> Int {
        let f: Double
        if logY, yMin > 0 {
            let lo = log10(yMin)
            let hi = log10(max(yMax, yMin))
            f = hi > lo ? (log10(max(y, 1e-300)) - lo) / (hi - lo) : 0.5
        } else {
            f = yMax > yMin ? (y - yMin) / (yMax - yMin) : 0.5
        }
        return clampedInt(((1 - f) * Double(dotsHigh - 1)).rounded(), 0, dotsHigh - 1)
    }

    /// Draws the polyline through `points` (non-finite values skipped).
    func draw(_ points: [(Double, Double)], into grid: inout CellGrid, role: StyleRole) {
        guard rect.width > 0, rect.height > 0 else { return }
        var bits = [UInt8](repeating: 0, count: rect.width * rect.height)
        var previous: (Int, Int)?
        for (x, y) in points where x.isFinite && y.isFinite {
            let p = (dotX(x), dotY(y))
            if let q = previous {
                let steps = max(abs(p.0 - q.0), abs(p.1 - q.1), 1)
                for s in 0...steps {
                    let dx = q.0 + (p.0 - q.0) * s / steps
                    let dy = q.1 + (p.1 - q.1) * s / steps
                    set(dx, dy, &bits)
                }
            } else {
                set(p.0, p.1, &bits)
            }
            previous = p
        }
        for cy in 0..<rect.height {
            for cx in 0..<rect.width where bits[cy * rect.width + cx] != 0 {
                let ch: Character =
                    ascii ? "*" : Character(Unicode.Scalar(0x2800 + UInt32(bits[cy * rect.width + cx]))!)
                grid[rect.x + cx, rect.y + cy] = Cell(ch, role)
            }
        }
    }

    /// Puts `mark` in the cell holding the point (x, y).
    func mark(_ x: Double, _ y: Double, _ mark: Character, into grid: inout CellGrid, role: StyleRole) {
        guard x.isFinite, y.isFinite, rect.width > 0, rect.height > 0 else { return }
        let cx = dotX(x) / (ascii ? 1 : 2)
        let cy = dotY(y) / (ascii ? 1 : 4)
        grid[rect.x + cx, rect.y + cy] = Cell(mark, role)
    }

    private func set(_ dx: Int, _ dy: Int, _ bits: inout [UInt8]) {
        if ascii {
            bits[dy * rect.width + dx] = 1
            return
        }
        let cell = (dy / 4) * rect.width + dx / 2
        let table: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
        bits[cell] |= table[dx % 2][dy % 4]
    }
}
