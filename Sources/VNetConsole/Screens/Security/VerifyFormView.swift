/// The verify form in the lower pane of the Security screen: the fields, then the answer (ALLOW in the good
/// role, DENY in the bad one, with the deciding rule) or what is wrong. It sits under the rules rather than
/// over them, so the deciding rule stays in sight, selected in the list.
struct VerifyFormView {
    var state: VerifyFormState

    /// The lines it needs: a title rule, the fields, the answer (two lines when narrow).
    static let height = VerifyFormState.Field.allCases.count + 3

    func render(into frame: inout Frame, rect: Rect) {
        frame.hline(x: rect.x, y: rect.y, width: rect.width, role: .border)
        frame.put(" verify a new connection (reads only, changes nothing) ", x: rect.x + 2, y: rect.y, role: .title,
                  limit: rect.width - 4)
        let labelWidth = 25
        let inputX = rect.x + 2 + labelWidth
        let inputWidth = min(40, rect.maxX - 1 - inputX)
        var y = rect.y + 1
        for field in VerifyFormState.Field.allCases where y < rect.maxY {
            FormField(label: field.label, value: state[field], focused: field == state.focus, labelRoles: (.focus, .normal))
                .render(into: &frame, x: rect.x + 2, y: y, labelWidth: labelWidth, inputX: inputX, inputWidth: inputWidth)
            y += 1
        }
        guard y < rect.maxY else { return }
        if let error = state.error {
            frame.put(error, x: rect.x + 2, y: y, role: .bad, limit: rect.width - 3)
        } else if let answer = state.answer {
            // vnetctl's line, broken before "decided by" when it does not fit, so 80 columns show all of it.
            let role: StyleRole = answer.rule.access == .allow ? .good : .bad
            let line = answer.line
            if Frame.displayWidth(line) <= rect.width - 3 || y + 1 >= rect.maxY {
                frame.put(line, x: rect.x + 2, y: y, role: role, limit: rect.width - 3)
            } else if let cut = line.firstRange(of: " decided by ") {
                frame.put(line[..<cut.lowerBound], x: rect.x + 2, y: y, role: role, limit: rect.width - 3)
                frame.put("decided by " + line[cut.upperBound...], x: rect.x + 4, y: y + 1, role: role, limit: rect.width - 5)
            }
        } else {
            frame.put("Enter asks the pod's rules; the deciding rule is selected above", x: rect.x + 2, y: y, role: .dim,
                      limit: rect.width - 3)
        }
    }
}
