/// `?` or F1: every row of the screens' key table, with the mutating ones shown disabled in read-only mode;
/// the demo's own rows only in the demo.
enum HelpScreen {
    static func render(readOnly: Bool, demo: Bool = false, into frame: inout Frame, rect: Rect) {
        var y = rect.y
        let x = rect.x + 1
        frame.put("Keys", x: x, y: y, role: .title)
        frame.putRight(readOnly ? "read-only: changes are disabled  Esc back" : "Esc back", right: rect.maxX - 1, y: y, role: .dim)
        let rows = KeyTables.screens.bindings.filter { demo || !$0.demoOnly }
        // The blank line under the title goes first when the rows would not fit (80x24 has none to spare).
        y += rows.count + 2 <= rect.height ? 2 : 1
        let keyWidth = 20
        for binding in rows where y < rect.maxY {
            let disabled = readOnly && binding.mutating
            frame.put(binding.keyLabel, x: x + 1, y: y, role: disabled ? .dim : .hintKey, limit: keyWidth - 2)
            let action = disabled ? binding.description + " - disabled, read-only" : binding.description
            frame.put(action, x: x + keyWidth, y: y, role: disabled ? .dim : .normal, limit: rect.width - keyWidth - 2)
            y += 1
        }
        if y + 1 < rect.maxY {
            frame.put("Changes are planned first and need confirmation: focus starts on Cancel; Tab then Enter applies.",
                      x: x, y: y + 1, role: .dim, limit: rect.width - 2)
        }
    }
}
