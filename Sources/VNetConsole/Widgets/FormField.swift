/// One line of a form: the label, the input box, the value and, when focused, the cursor. The attach form
/// and the verify form draw their fields alike; only the label's roles differ (a dialog's, or a pane's).
struct FormField {
    var label: String
    var value: String
    var focused: Bool
    /// The label's role when focused and when not.
    var labelRoles: (focused: StyleRole, normal: StyleRole)

    func render(into frame: inout Frame, x: Int, y: Int, labelWidth: Int, inputX: Int, inputWidth: Int) {
        frame.put(label, x: x, y: y, role: focused ? labelRoles.focused : labelRoles.normal, limit: labelWidth - 1)
        frame.fill(Rect(x: inputX, y: y, width: inputWidth, height: 1), role: .input)
        // Long values scroll so the end (where typing happens) stays visible.
        let visible = max(1, inputWidth - 1)
        let shown = Frame.displayWidth(value) > visible ? String(value.unicodeScalars.suffix(visible)) : value
        let used = frame.put(shown, x: inputX, y: y, role: .input, limit: inputWidth)
        if focused { frame.put(frame.glyphs.cursor, x: inputX + min(used, inputWidth - 1), y: y, role: .focus) }
    }
}
