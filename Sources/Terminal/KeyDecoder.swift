import CNcursesw
import Dashboard

/// Turns what `wget_wch` returns into a `Key`.
enum KeyDecoder {
    /// Decodes a KEY_* code (`isKey`) or a character code.
    static func decode(code: Int32, isKey: Bool) -> Key {
        if isKey { return decodeKeyCode(code) }
        switch code {
        case 10, 13: return .enter
        case 9: return .tab
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(code) + 96)))
        default:
            guard code >= 32, let scalar = Unicode.Scalar(UInt32(code)) else { return .unknown(Int(code)) }
            return .char(Character(scalar))
        }
    }

    private static func decodeKeyCode(_ code: Int32) -> Key {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_SLEFT: return .shiftLeft
        case KEY_SRIGHT: return .shiftRight
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_RESIZE: return .resize
        default:
            let f0 = ashb_key_f(0)
            if code > f0, code <= f0 + 12 { return .function(Int(code - f0)) }
            return .unknown(Int(code))
        }
    }
}
