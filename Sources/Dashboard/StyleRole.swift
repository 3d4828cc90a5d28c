/// The meaning of a cell's look. The terminal backend maps roles to colours and attributes; every
/// role is also carried by a glyph or a word on screen, so nothing is lost without colour.
public enum StyleRole: UInt8, Sendable, CaseIterable {
    case normal
    case header
    case good
    case bad
    case warning
    case dim
    case selected
    case badge
    case border
    case title

    /// One letter per role, for style-map golden files.
    public var letter: Character {
        switch self {
        case .normal: return "."
        case .header: return "H"
        case .good: return "G"
        case .bad: return "B"
        case .warning: return "W"
        case .dim: return "d"
        case .selected: return "S"
        case .badge: return "!"
        case .border: return "|"
        case .title: return "T"
        }
    }
}
