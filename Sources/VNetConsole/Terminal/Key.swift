/// A key press, decoded from whatever the terminal sent. Named keys are cases so the controller never
/// compares raw curses codes (whose values differ between ncurses builds).
public enum Key: Hashable, Sendable {
    case character(Unicode.Scalar)
    /// Ctrl plus a letter, as the lowercase letter (Ctrl-L is `.control("l")`).
    case control(Unicode.Scalar)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)

    /// Decodes a plain character code as terminals send it in raw mode.
    public static func fromCode(_ code: UInt32) -> Key? {
        switch code {
        case 0x0A, 0x0D: return .enter
        case 0x09: return .tab
        case 0x1B: return .escape
        case 0x7F, 0x08: return .backspace
        case 0x01...0x1A:
            return Unicode.Scalar(code + 0x60).map { .control($0) }
        case 0x00, 0x1C...0x1F: return nil
        default:
            return Unicode.Scalar(code).map { .character($0) }
        }
    }

    /// How the help screen and hint bar name the key.
    public var label: String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .control(let c): return "^" + String(c).uppercased()
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .backspace: return "Bksp"
        case .delete: return "Del"
        case .function(let n): return "F\(n)"
        }
    }
}
