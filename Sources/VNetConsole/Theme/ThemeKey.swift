/// The colour slots a theme file sets. Several roles share a slot (all borders, all dim text), so a theme
/// stays short and consistent.
public enum ThemeKey: String, CaseIterable, Hashable, Sendable {
    case mainBackground = "main_bg"
    case mainForeground = "main_fg"
    case headerBackground = "header_bg"
    case headerForeground = "header_fg"
    case title = "title"
    case border = "border"
    case dim = "dim"
    case good = "good"
    case warn = "warn"
    case bad = "bad"
    case selectedBackground = "selected_bg"
    case selectedForeground = "selected_fg"
    case marked = "marked"
    case gaugeUsed = "gauge_used"
    case gaugeCooling = "gauge_cooling"
    case gaugeFlagged = "gauge_flagged"
    case gaugeFree = "gauge_free"
    case gaugeOther = "gauge_other"
    case gaugeReserved = "gauge_reserved"
    case hintKeyBackground = "hint_key_bg"
    case hintKeyForeground = "hint_key_fg"
    case hint = "hint"
    case dialogBackground = "dialog_bg"
    case dialogForeground = "dialog_fg"
    case focusBackground = "focus_bg"
    case focusForeground = "focus_fg"
    case inputBackground = "input_bg"
    case inputForeground = "input_fg"
}

/// Text attributes a role always carries, colour or not. In monochrome they are all that tells roles apart.
public struct TextAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = TextAttributes(rawValue: 1)
    public static let dim = TextAttributes(rawValue: 2)
    public static let reverse = TextAttributes(rawValue: 4)
    public static let underline = TextAttributes(rawValue: 8)
}

/// How one role looks under a theme.
public struct RoleStyle: Hashable, Sendable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var attributes: TextAttributes

    public init(foreground: ThemeColor, background: ThemeColor, attributes: TextAttributes) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }
}

extension StyleRole {
    /// The slots this role's foreground and background come from, and its attributes with colour and
    /// without. Keeping the table here means adding a role touches one place.
    var themeSlots: (fg: ThemeKey, bg: ThemeKey, color: TextAttributes, mono: TextAttributes) {
        switch self {
        case .normal: return (.mainForeground, .mainBackground, [], [])
        case .header: return (.headerForeground, .headerBackground, [.bold], [.reverse])
        case .title: return (.title, .mainBackground, [.bold], [.bold])
        case .border: return (.border, .mainBackground, [], [])
        case .dim: return (.dim, .mainBackground, [], [.dim])
        case .good: return (.good, .mainBackground, [], [])
        case .warn: return (.warn, .mainBackground, [.bold], [.bold])
        case .bad: return (.bad, .mainBackground, [.bold], [.bold, .underline])
        case .selected: return (.selectedForeground, .selectedBackground, [], [.reverse])
        case .marked: return (.marked, .mainBackground, [.bold], [.bold, .underline])
        case .gaugeUsed: return (.gaugeUsed, .mainBackground, [], [])
        case .gaugeCooling: return (.gaugeCooling, .mainBackground, [], [])
        case .gaugeFlagged: return (.gaugeFlagged, .mainBackground, [.bold], [.bold])
        case .gaugeFree: return (.gaugeFree, .mainBackground, [], [.dim])
        case .gaugeOther: return (.gaugeOther, .mainBackground, [], [])
        case .gaugeReserved: return (.gaugeReserved, .mainBackground, [], [.dim])
        case .hintKey: return (.hintKeyForeground, .hintKeyBackground, [.bold], [.reverse])
        case .hint: return (.hint, .mainBackground, [], [])
        case .status: return (.mainForeground, .mainBackground, [], [])
        case .statusError: return (.bad, .mainBackground, [.bold], [.bold, .reverse])
        case .dialog: return (.dialogForeground, .dialogBackground, [], [])
        case .dialogTitle: return (.title, .dialogBackground, [.bold], [.bold])
        case .focus: return (.focusForeground, .focusBackground, [.bold], [.reverse, .bold])
        case .input: return (.inputForeground, .inputBackground, [], [.underline])
        case .tabActive: return (.focusForeground, .focusBackground, [.bold], [.reverse, .bold])
        }
    }
}
