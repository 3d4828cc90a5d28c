import CNcursesw
import Dashboard
import Foundation

/// The ncurses backend: takes the terminal, draws cell grids, reads keys, gives the terminal back.
/// Only the thread that opened it may use it.
final class TerminalScreen {
    /// True when the locale is UTF-8 (else the dashboard draws ASCII).
    let utf8: Bool
    /// True when colours are in use.
    let colors: Bool
    private var screen: OpaquePointer?
    private var previous: CellGrid?
    private var closed = false
    private var attributes: [attr_t] = []

    /// Takes the terminal. Throws, with nothing drawn, when there is no usable terminal.
    /// Checks, without drawing anything, that standard input and output are a terminal whose TERM
    /// terminfo knows (and is not "dumb"); returns TERM.
    static func check() throws(TerminalError) -> String {
        guard isatty(0) == 1, isatty(1) == 1 else { throw TerminalError.notATerminal }
        let term = ProcessInfo.processInfo.environment["TERM"]
        guard let term, !term.isEmpty, term != "dumb" else { throw TerminalError.unsupportedTerminal(term) }
        guard ashb_term_known(term) != 0 else { throw TerminalError.unsupportedTerminal(term) }
        return term
    }

    init(noColor: Bool) throws {
        let term = try Self.check()
        setlocale(LC_ALL, "")
        if ashb_codeset_is_utf8() == 0 { setlocale(LC_ALL, "C.UTF-8") }
        utf8 = ashb_codeset_is_utf8() != 0
        guard let s = ashb_newterm(nil) else { throw TerminalError.unsupportedTerminal(term) }
        screen = s
        _ = set_term(s)
        ashb_install_crash_handlers()
        cbreak()
        noecho()
        nonl()
        _ = ashb_keypad(1)
        _ = ashb_leaveok(1)
        curs_set(0)
        set_escdelay(25)
        let wantColor = !noColor && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        colors = wantColor && has_colors()
        if colors {
            start_color()
            use_default_colors()
        }
        attributes = StyleRole.allCases.map { Self.attribute(for: $0, colors: colors) }
    }

    deinit { close() }

    /// The terminal's size in cells.
    var size: Size { Size(width: Int(ashb_cols()), height: Int(ashb_lines())) }

    /// Gives the terminal back (idempotent).
    func close() {
        guard !closed else { return }
        closed = true
        endwin()
        ashb_remove_crash_handlers()
        if let screen { delscreen(screen) }
        screen = nil
    }

    /// Waits up to `milliseconds` for a key (nil on timeout).
    func readKey(milliseconds: Int32) -> Key? {
        ashb_timeout(milliseconds)
        var code: Int32 = 0
        var isKey: Int32 = 0
        guard ashb_get_wch(&code, &isKey) != ERR else { return nil }
        return KeyDecoder.decode(code: code, isKey: isKey != 0)
    }

    /// Forgets what is on screen so the next `draw` repaints everything (after a resize).
    func invalidate() {
        previous = nil
        _ = ashb_erase()
    }

    /// Draws `grid`: only rows that changed since the last frame are written, and ncurses sends
    /// only the cells that changed, so nothing flickers.
    func draw(_ grid: CellGrid) {
        let same = previous.map { $0.width == grid.width && $0.height == grid.height } ?? false
        if !same { _ = ashb_erase() }
        var run = ""
        for y in 0..<grid.height {
            if same, rowEqual(previous!, grid, y) { continue }
            var x = 0
            while x < grid.width {
                let role = grid[x, y].role
                let start = x
                run.removeAll(keepingCapacity: true)
                // A wide character's second cell is covered by the character itself: never drawn, and
                // never the start of a run (its role follows its first cell).
                while x < grid.width, grid[x, y].role == role || grid[x, y].isContinuation {
                    if !grid[x, y].isContinuation { run.append(grid[x, y].character) }
                    x += 1
                }
                _ = ashb_attrset(attributes[Int(role.rawValue)])
                _ = ashb_mvaddstr(Int32(y), Int32(start), run)
            }
        }
        _ = ashb_attrset(ashb_a_normal())
        _ = ashb_refresh()
        previous = grid
    }

    private func rowEqual(_ a: CellGrid, _ b: CellGrid, _ y: Int) -> Bool {
        let base = y * a.width
        for i in base..<(base + a.width) where a.cells[i] != b.cells[i] { return false }
        return true
    }

    /// The colour pair and attributes of each role; without colour, attributes alone (and the
    /// glyphs and words the renderer pairs with every role) carry the meaning.
    private static func attribute(for role: StyleRole, colors: Bool) -> attr_t {
        let pairs: [StyleRole: (Int16, Int16)] = [
            .header: (Int16(COLOR_WHITE), Int16(COLOR_BLUE)), .good: (Int16(COLOR_GREEN), -1),
            .bad: (Int16(COLOR_RED), -1), .warning: (Int16(COLOR_YELLOW), -1),
            .badge: (Int16(COLOR_BLACK), Int16(COLOR_YELLOW)), .border: (Int16(COLOR_BLUE), -1),
            .title: (Int16(COLOR_CYAN), -1),
        ]
        var a = ashb_a_normal()
        switch role {
        case .normal: break
        case .header: a |= ashb_a_bold() | (colors ? 0 : ashb_a_reverse())
        case .good: break
        case .bad: a |= ashb_a_bold()
        case .warning: a |= ashb_a_bold()
        case .dim: a |= ashb_a_dim()
        case .selected: a |= ashb_a_reverse()
        case .badge: a |= ashb_a_bold() | (colors ? 0 : ashb_a_reverse())
        case .border: a |= colors ? 0 : ashb_a_dim()
        case .title: a |= ashb_a_bold()
        }
        if colors, let (fg, bg) = pairs[role] {
            let n = Int16(role.rawValue) + 1
            init_pair(n, fg, bg)
            a |= ashb_color_pair(Int32(n))
        }
        return a
    }
}
