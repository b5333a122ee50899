import VNetModel

/// The box that shows a plan and asks for explicit confirmation. Cancel is first and focused when it
/// opens; applying takes a deliberate move to Apply and Enter.
struct ConfirmDialog {
    var state: ConfirmState
    /// What the plan's generation counts: the node's state document, or the VNet registry's revision.
    enum Scope {
        case node, vnet

        var subject: String { self == .node ? "the node" : "the VNet" }
        var counter: String { self == .node ? "generation" : "revision" }
    }

    /// The state generation of the latest snapshot (or the registry's latest revision), to warn when the
    /// node (or the VNet) moved since the plan.
    var currentGeneration: UInt64?
    var scope: Scope = .node

    /// All lines of the plan, before scrolling.
    var lines: [(text: String, role: StyleRole)] {
        let plan = state.plan
        var out: [(String, StyleRole)] = [(plan.summary, .dialogTitle), ("", .dialog)]
        for change in plan.changes {
            let op = change.operation.rawValue.padding(to: 6)
            let area = change.area.rawValue.padding(to: 8)
            let role: StyleRole = change.operation == .remove ? .bad : (change.operation == .add ? .good : .dialog)
            out.append(("  \(op) \(area) \(change.detail)", role))
        }
        if plan.changes.isEmpty { out.append(("  nothing to change", .dim)) }
        for warning in plan.warnings + plan.refusals { out.append(("! \(warning)", .warn)) }
        if let current = currentGeneration, current != plan.stateGeneration {
            let change = "\(scope.counter) \(plan.stateGeneration) -> \(current)"
            out.append(("! \(scope.subject) changed since this plan (\(change)): apply re-checks the target and refuses if it moved", .warn))
        }
        out.append(("", .dialog))
        let captured = "\(Format.clock(state.openedAt)) (\(scope.counter) \(plan.stateGeneration))"
        out.append(("target captured \(captured), re-checked on apply:", .dim))
        for fact in plan.facts { out.append(("  \(fact)", .dim)) }
        return out
    }

    func render(into frame: inout Frame, area: Rect) {
        let all = lines
        let width = min(area.width - 2, max(50, all.map { Frame.displayWidth($0.text) + 4 }.max() ?? 50))
        let maxBody = max(3, area.height - 6)
        let bodyHeight = min(all.count, maxBody)
        let box = area.centered(width: width, height: bodyHeight + 4)
        ModalBackdrop.render(into: &frame, area: area, box: box)
        frame.fill(box, role: .dialog)
        let verb = state.plan.action.rawValue
        frame.box(box, role: .border, title: "Confirm \(verb)", titleRole: .dialogTitle)
        let scroll = min(state.scroll, max(0, all.count - bodyHeight))
        for (i, line) in all[scroll..<min(all.count, scroll + bodyHeight)].enumerated() {
            frame.put(line.text, x: box.x + 2, y: box.y + 1 + i, role: line.role, limit: box.width - 4)
        }
        if all.count > bodyHeight {
            let more = " \(scroll + 1)-\(scroll + bodyHeight)/\(all.count) Up/Down "
            frame.putRight(more, right: box.maxX - 2, y: box.maxY - 1, role: .dim)
        }
        let cancel = "[ Cancel ]", apply = "[ Apply \(verb) ]"
        let buttonsWidth = Frame.displayWidth(cancel) + 3 + Frame.displayWidth(apply)
        let bx = box.x + max(1, (box.width - buttonsWidth) / 2)
        let by = box.maxY - 2
        frame.put(cancel, x: bx, y: by, role: state.focus == .cancel ? .focus : .dialog)
        frame.put(apply, x: bx + Frame.displayWidth(cancel) + 3, y: by, role: state.focus == .apply ? .focus : .dialog)
    }
}

extension String {
    /// Left-justified in `width` columns (not cut: callers size columns).
    func padding(to width: Int) -> String {
        let w = Frame.displayWidth(self)
        return w >= width ? self : self + String(repeating: " ", count: width - w)
    }
}
