/// The drawing characters of one character set. UTF-8 terminals get box drawing and block elements; any
/// other locale gets plain ASCII, so the console still starts (as htop does) instead of printing garbage.
public struct Glyphs: Hashable, Sendable {
    public var horizontal: Unicode.Scalar
    public var vertical: Unicode.Scalar
    public var topLeft: Unicode.Scalar
    public var topRight: Unicode.Scalar
    public var bottomLeft: Unicode.Scalar
    public var bottomRight: Unicode.Scalar
    public var teeDown: Unicode.Scalar
    public var ellipsis: Unicode.Scalar
    public var gaugeUsed: Unicode.Scalar
    public var gaugeCooling: Unicode.Scalar
    public var gaugeFlagged: Unicode.Scalar
    public var gaugeFree: Unicode.Scalar
    /// The VNet gauge: other nodes' pods and reserved-but-unused room, apart from this node's pods (`gaugeUsed`).
    public var gaugeOther: Unicode.Scalar
    public var gaugeReserved: Unicode.Scalar
    public var gaugeOutside: Unicode.Scalar
    public var sortAscending: Unicode.Scalar
    public var sortDescending: Unicode.Scalar
    public var mark: Unicode.Scalar
    public var pointer: Unicode.Scalar
    public var cursor: Unicode.Scalar
    public var separator: Unicode.Scalar
    /// Replaces characters this set cannot show (non-ASCII in the ASCII set, control characters in both).
    public var replacement: Unicode.Scalar
    /// True when only ASCII may reach the terminal.
    public var asciiOnly: Bool
    /// A sparkline's levels, lowest first: block heights, or in ASCII characters of growing weight, so a
    /// trend reads without colour.
    public var sparkLevels: [Unicode.Scalar] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        teeDown: "┬", ellipsis: "…", gaugeUsed: "█", gaugeCooling: "▒", gaugeFlagged: "▓", gaugeFree: "·",
        gaugeOther: "▚", gaugeReserved: "░", gaugeOutside: " ", sortAscending: "▲", sortDescending: "▼", mark: "●", pointer: "▸", cursor: "▏",
        separator: "│", replacement: "\u{FFFD}", asciiOnly: false)

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        teeDown: "+", ellipsis: "~", gaugeUsed: "#", gaugeCooling: "~", gaugeFlagged: "!", gaugeFree: ".",
        gaugeOther: "=", gaugeReserved: "-", gaugeOutside: " ", sortAscending: "^", sortDescending: "v", mark: "*", pointer: ">", cursor: "_",
        separator: "|", replacement: "?", asciiOnly: true, sparkLevels: ["_", ".", "-", "~", "=", "+", "*", "#"])
}
