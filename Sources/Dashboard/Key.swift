/// A key press, as the terminal backend decodes it. The keymap and every UI test speak this type,
/// so the pure dashboard never sees a curses key code.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    /// A printable character (letters, digits, punctuation, space).
    case char(Character)
    /// A control chord such as Ctrl-L, given by its lower-case letter.
    case ctrl(Character)
    case up
    case down
    case left
    case right
    /// Shift and the left arrow.
    case shiftLeft
    /// Shift and the right arrow.
    case shiftRight
    case pageUp
    case pageDown
    case home
    case end
    case enter
    case tab
    case backTab
    case escape
    case backspace
    case delete
    /// A function key F1...F12.
    case function(Int)
    /// The terminal was resized (the backend reports the new size separately).
    case resize
    /// A code the backend could not name.
    case unknown(Int)

    /// The key's name as help and hints show it ("j", "PgDn", "F9", "Esc").
    public var description: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "^" + String(c).uppercased()
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .shiftLeft: return "S-Left"
        case .shiftRight: return "S-Right"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .escape: return "Esc"
        case .backspace: return "BkSp"
        case .delete: return "Del"
        case .function(let n): return "F\(n)"
        case .resize: return "Resize"
        case .unknown(let code): return "#\(code)"
        }
    }
}
