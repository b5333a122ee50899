/// The attach form: five fields, the focused one with a cursor, and the last validation error.
struct AttachFormView {
    var state: AttachFormState

    func render(into frame: inout Frame, area: Rect) {
        let fields = AttachFormState.Field.allCases
        let width = min(area.width - 2, 72)
        let box = area.centered(width: width, height: fields.count + 6)
        ModalBackdrop.render(into: &frame, area: area, box: box)
        frame.fill(box, role: .dialog)
        frame.box(box, role: .border, title: "Attach a pod", titleRole: .dialogTitle)
        let labelWidth = 22
        let inputX = box.x + 2 + labelWidth
        let inputWidth = box.maxX - 2 - inputX
        for (i, field) in fields.enumerated() {
            FormField(label: field.label, value: state[field], focused: field == state.focus, labelRoles: (.dialogTitle, .dialog))
                .render(into: &frame, x: box.x + 2, y: box.y + 1 + i, labelWidth: labelWidth, inputX: inputX, inputWidth: inputWidth)
        }
        let y = box.y + 1 + fields.count
        if let error = state.error {
            frame.put(error, x: box.x + 2, y: y + 1, role: .bad, limit: box.width - 4)
        } else if state.focus == .netns, let matches = state.completion?.matches, matches.count > 1 {
            frame.put(Self.matchesLine(matches, current: state.completion?.index), x: box.x + 2, y: y + 1, role: .dim, limit: box.width - 4)
        } else {
            frame.put("nothing changes until you confirm the plan", x: box.x + 2, y: y + 1, role: .dim, limit: box.width - 4)
        }
        let keys = state.focus == .netns ? "Enter plan  Tab complete  Up/Down field  Esc cancel" : "Enter plan  Tab/Up/Down field  Esc cancel"
        frame.put(keys, x: box.x + 2, y: y + 2, role: .dim, limit: box.width - 4)
    }

    /// The names Tab cycles through (always more than one), the shown one in brackets: "3 matches: [pod0] pod1 pod2".
    static func matchesLine(_ matches: [String], current: Int?) -> String {
        let names = matches.enumerated().map { $0.offset == current ? "[\($0.element)]" : $0.element }
        return "\(matches.count) matches: " + names.joined(separator: " ")
    }
}
