/// A colour theme: one colour per `ThemeKey`. Files use btop's simple shape, one `key = "#RRGGBB"` a line,
/// so a theme can be written by hand and diffed.
public struct Theme: Hashable, Sendable {
    public var name: String
    public var colors: [ThemeKey: ThemeColor]

    public init(name: String, colors: [ThemeKey: ThemeColor]) {
        self.name = name
        self.colors = colors
    }

    public func color(_ key: ThemeKey) -> ThemeColor { colors[key] ?? .terminalDefault }

    /// True when the theme leaves every colour to the terminal: only attributes distinguish roles.
    public var isMonochrome: Bool { ThemeKey.allCases.allSatisfy { color($0) == .terminalDefault } }

    /// How `role` looks: the theme's colours plus the role's attributes (the monochrome set when the
    /// theme has no colours).
    public func style(for role: StyleRole) -> RoleStyle {
        let slots = role.themeSlots
        if isMonochrome {
            return RoleStyle(foreground: .terminalDefault, background: .terminalDefault, attributes: slots.mono)
        }
        return RoleStyle(foreground: color(slots.fg), background: color(slots.bg), attributes: slots.color)
    }

    /// Reads a theme file's text. Lines are `key = "#RRGGBB"` (btop's `theme[key]="..."` also works), `#`
    /// starts a comment. Keys the file does not set come from `base`. Problems never stop the console:
    /// they come back as warnings naming the line.
    public static func parse(name: String, text: String, base: Theme) -> (theme: Theme, warnings: [String]) {
        var theme = Theme(name: name, colors: base.colors)
        var warnings: [String] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                warnings.append("line \(number + 1): expected key = \"#RRGGBB\", got \"\(line)\"")
                continue
            }
            var key = line[..<equals].trimmingSpaces
            if key.hasPrefix("theme["), key.hasSuffix("]") { key = key.dropFirst(6).dropLast() }
            var value = line[line.index(after: equals)...].trimmingSpaces
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
            guard let themeKey = ThemeKey(rawValue: String(key)) else {
                warnings.append("line \(number + 1): unknown key \"\(key)\"")
                continue
            }
            guard let color = ThemeColor(value) else {
                warnings.append("line \(number + 1): \(key): \"\(value)\" is not #RRGGBB or default")
                continue
            }
            theme.colors[themeKey] = color
        }
        return (theme, warnings)
    }

    /// The theme as file text, in `ThemeKey` order.
    public var fileText: String {
        var out = "# vnet-console theme: \(name)\n"
        for key in ThemeKey.allCases { out += "\(key.rawValue) = \"\(color(key))\"\n" }
        return out
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" || c == "\r" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" { s = s.dropLast() }
        return s
    }
}
