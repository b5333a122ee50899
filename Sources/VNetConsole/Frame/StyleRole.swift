/// What a cell means, not how it looks: screens say "this is a warning" and the theme decides the colour.
/// Keeping meaning apart from colour is what lets one frame be drawn in 256, 16, 8 or no colours, and lets
/// golden tests check layout without caring about palettes.
public enum StyleRole: UInt8, CaseIterable, Hashable, Sendable {
    case normal
    case header
    case title
    case border
    case dim
    case good
    case warn
    case bad
    case selected
    case marked
    case gaugeUsed
    case gaugeCooling
    case gaugeFlagged
    case gaugeFree
    /// Other nodes' pods in the VNet gauge, beside this node's (`gaugeUsed`).
    case gaugeOther
    /// Room a node reserved in the VNet but does not use yet.
    case gaugeReserved
    case hintKey
    case hint
    case status
    case statusError
    case dialog
    case dialogTitle
    case focus
    case input
    case tabActive

    /// One letter per role, for style goldens and debugging output.
    public var letter: Character {
        switch self {
        case .normal: return "."
        case .header: return "H"
        case .title: return "T"
        case .border: return "b"
        case .dim: return "d"
        case .good: return "g"
        case .warn: return "w"
        case .bad: return "B"
        case .selected: return "S"
        case .marked: return "m"
        case .gaugeUsed: return "u"
        case .gaugeCooling: return "c"
        case .gaugeFlagged: return "f"
        case .gaugeFree: return "e"
        case .gaugeOther: return "o"
        case .gaugeReserved: return "r"
        case .hintKey: return "K"
        case .hint: return "k"
        case .status: return "s"
        case .statusError: return "E"
        case .dialog: return "D"
        case .dialogTitle: return "t"
        case .focus: return "F"
        case .input: return "I"
        case .tabActive: return "A"
        }
    }
}
