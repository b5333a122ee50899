/// The themes compiled in, so the console looks right with no files installed. themes/*.theme in the
/// repository hold the same text (a test keeps them equal) as starting points for custom themes.
extension Theme {
    public static let builtinNames = ["dark", "light", "high-contrast", "monochrome"]

    public static let dark = Theme.builtin(name: "dark", """
        main_bg = "#1c1c1c"
        main_fg = "#d0d0d0"
        header_bg = "#303a4a"
        header_fg = "#ffffff"
        title = "#87afff"
        border = "#5f6f87"
        dim = "#808080"
        good = "#5fd75f"
        warn = "#ffaf00"
        bad = "#ff5f5f"
        selected_bg = "#005f87"
        selected_fg = "#ffffff"
        marked = "#ffd75f"
        gauge_used = "#5f87ff"
        gauge_cooling = "#af87ff"
        gauge_flagged = "#ff5f5f"
        gauge_free = "#4e4e4e"
        gauge_other = "#5fafaf"
        gauge_reserved = "#6c6c9c"
        hint_key_bg = "#005f87"
        hint_key_fg = "#ffffff"
        hint = "#a8a8a8"
        dialog_bg = "#262626"
        dialog_fg = "#e4e4e4"
        focus_bg = "#d78700"
        focus_fg = "#000000"
        input_bg = "#3a3a3a"
        input_fg = "#ffffff"
        """)

    public static let light = Theme.builtin(name: "light", """
        main_bg = "#ffffff"
        main_fg = "#1c1c1c"
        header_bg = "#d0e0f0"
        header_fg = "#000000"
        title = "#0040a0"
        border = "#8a8a8a"
        dim = "#6c6c6c"
        good = "#007a00"
        warn = "#a05a00"
        bad = "#c00000"
        selected_bg = "#b0d0ff"
        selected_fg = "#000000"
        marked = "#8a4b00"
        gauge_used = "#1f5fbf"
        gauge_cooling = "#7a3fbf"
        gauge_flagged = "#c00000"
        gauge_free = "#b2b2b2"
        gauge_other = "#2f8f8f"
        gauge_reserved = "#8a8ac0"
        hint_key_bg = "#1f5fbf"
        hint_key_fg = "#ffffff"
        hint = "#4e4e4e"
        dialog_bg = "#eeeeee"
        dialog_fg = "#000000"
        focus_bg = "#1f5fbf"
        focus_fg = "#ffffff"
        input_bg = "#e4e4e4"
        input_fg = "#000000"
        """)

    public static let highContrast = Theme.builtin(name: "high-contrast", """
        main_bg = "#000000"
        main_fg = "#ffffff"
        header_bg = "#ffffff"
        header_fg = "#000000"
        title = "#ffff00"
        border = "#ffffff"
        dim = "#c0c0c0"
        good = "#00ff00"
        warn = "#ffff00"
        bad = "#ff0000"
        selected_bg = "#ffff00"
        selected_fg = "#000000"
        marked = "#00ffff"
        gauge_used = "#00ffff"
        gauge_cooling = "#ff00ff"
        gauge_flagged = "#ff0000"
        gauge_free = "#808080"
        gauge_other = "#ffff00"
        gauge_reserved = "#c0c0ff"
        hint_key_bg = "#ffffff"
        hint_key_fg = "#000000"
        hint = "#ffffff"
        dialog_bg = "#000000"
        dialog_fg = "#ffffff"
        focus_bg = "#ffff00"
        focus_fg = "#000000"
        input_bg = "#ffffff"
        input_fg = "#000000"
        """)

    public static let monochrome = Theme.builtin(name: "monochrome",
        ThemeKey.allCases.map { "\($0.rawValue) = \"default\"" }.joined(separator: "\n"))

    /// The compiled-in theme called `name`.
    public static func builtin(named name: String) -> Theme? {
        switch name {
        case "dark": return dark
        case "light": return light
        case "high-contrast": return highContrast
        case "monochrome", "mono": return monochrome
        default: return nil
        }
    }

    private static func builtin(name: String, _ text: String) -> Theme {
        Theme.parse(name: name, text: text, base: Theme(name: name, colors: [:])).theme
    }
}
