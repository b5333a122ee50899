/// A theme resolved for one terminal: per role, the colour numbers and attributes to draw with. Pure, so
/// the mapping is tested without a terminal; the curses terminal turns entries into colour pairs.
public struct Palette: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        /// Terminal colour numbers; -1 is the terminal's default.
        public var foreground: Int
        public var background: Int
        public var attributes: TextAttributes
    }

    public let depth: ColorDepth
    public let entries: [Entry]

    /// With no colours (or a monochrome theme) every role gets default colours and its monochrome
    /// attributes. On 8/16 colours a role whose foreground lands on its background gets black or white.
    public init(theme: Theme, depth: ColorDepth) {
        let effective = theme.isMonochrome ? ColorDepth.none : depth
        self.depth = effective
        entries = StyleRole.allCases.map { role in
            if effective == .none {
                return Entry(foreground: -1, background: -1, attributes: role.themeSlots.mono)
            }
            let style = theme.style(for: role)
            var fg = ColorMapper.index(for: style.foreground, depth: effective)
            let bg = ColorMapper.index(for: style.background, depth: effective)
            var attributes = style.attributes
            if fg == bg, bg >= 0 {
                let light = ColorMapper.luminance(of: bg) > 0.5
                switch effective {
                case .ansi256: fg = light ? 16 : 231
                case .sixteen: fg = light ? 0 : 15
                default: fg = light ? 0 : 7
                }
            }
            // Few colours blur dim text into normal text; the attribute keeps it apart.
            if effective < .ansi256, role == .dim || role == .gaugeFree { attributes.insert(.dim) }
            return Entry(foreground: fg, background: bg, attributes: attributes)
        }
    }

    public func entry(for role: StyleRole) -> Entry { entries[Int(role.rawValue)] }
}
