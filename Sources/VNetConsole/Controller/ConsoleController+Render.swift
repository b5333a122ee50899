/// Turns the state and data into a frame: header, tabs, the screen (or help or details), dialogs on
/// top, status and hints. Pure apart from remembering each list's scroll position.
extension ConsoleController {
    public func render(size: TerminalSize) -> Frame {
        lastSize = size
        var frame = Frame(width: size.width, height: size.height, glyphs: glyphs)
        let minimum = configuration.minimumSize
        guard size.width >= minimum.width, size.height >= minimum.height else {
            TooSmallScreen.render(minimum: minimum, into: &frame)
            return frame
        }
        Header(data: data, now: now(), interval: state.interval, paused: state.paused, readOnly: isReadOnly,
               lastError: lastError).render(into: &frame, y: 0)
        TabBar(current: state.screen, counts: tabCounts, filter: state.list.filter, editingFilter: state.editingFilter)
            .render(into: &frame, y: 2)
        let body = Rect(x: 0, y: 3, width: size.width, height: size.height - 5)
        renderBody(into: &frame, rect: body)
        for overlay in state.overlays {
            switch overlay {
            case .attach(let form): AttachFormView(state: form).render(into: &frame, area: body)
            case .confirm(let confirm):
                ConfirmDialog(state: confirm, currentGeneration: data?.snapshot.stateGeneration).render(into: &frame, area: body)
            default: break
            }
        }
        StatusLine(message: state.status).render(into: &frame, y: size.height - 2)
        HintBar(items: hints()).render(into: &frame, y: size.height - 1)
        return frame
    }

    private func renderBody(into frame: inout Frame, rect: Rect) {
        let page = state.overlays.last { $0 == .help || $0.isDetail }
        if page == .help {
            HelpScreen.render(readOnly: isReadOnly, into: &frame, rect: rect)
            return
        }
        guard let data else {
            let text = lastError ?? "waiting for the first snapshot"
            frame.put(text, x: 1, y: rect.y + 1, role: lastError == nil ? .dim : .bad, limit: rect.width - 2)
            return
        }
        if case .detail(let key)? = page {
            EndpointDetailScreen.render(data, key: key, into: &frame, rect: rect)
            return
        }
        let list = state.list
        switch state.screen {
        case .overview:
            OverviewScreen.render(data, into: &frame, rect: rect)
        case .endpoints:
            state.list.top = EndpointsScreen.renderTable(EndpointsScreen.prepared(data, list: list), list: list,
                                                          into: &frame, rect: rect)
        case .links:
            state.list.top = LinksScreen.renderTable(LinksScreen.prepared(data, list: list), list: list,
                                                      into: &frame, rect: rect)
        case .nat:
            let rest = NATScreen.renderRules(data, into: &frame, rect: rect)
            state.list.top = NATScreen.renderTable(NATScreen.prepared(data, list: list), list: list,
                                                    into: &frame, rect: rest)
        case .leaks:
            let rows = LeaksScreen.prepared(data, list: list)
            let pane = rect.height >= 14 ? 6 : 3
            let tableRect = Rect(x: rect.x, y: rect.y, width: rect.width, height: rect.height - pane)
            state.list.top = LeaksScreen.renderTable(rows, list: list, into: &frame, rect: tableRect, marks: state.marks)
            let selected = rows.first { LeaksScreen.id($0) == list.selectedID } ?? rows.first
            LeaksScreen.renderEvidence(selected, marked: state.marks.count, into: &frame,
                                       rect: Rect(x: rect.x, y: tableRect.maxY, width: rect.width, height: pane))
        }
    }

    /// The keys that work in the current context, for the bottom line.
    func hints() -> [(key: String, label: String)] {
        switch state.topOverlay {
        case .confirm?:
            return [("Tab", "Switch"), ("Enter", "Choose"), ("Esc", "Cancel"), ("Up/Down", "Scroll plan")]
        case .attach?:
            return [("Tab", "Next field"), ("Enter", "Plan"), ("Esc", "Cancel"), ("^U", "Clear field")]
        case .help?:
            return [("Esc", "Back"), ("1-5", "Screen"), ("q", "Quit")]
        case .detail?:
            var items: [(key: String, label: String)] = [("Esc", "Back")]
            if !isReadOnly { items.append(("d", "Detach")) }
            items += [("p", state.paused ? "Resume" : "Pause"), ("?", "Help"), ("q", "Quit")]
            return items
        case nil:
            break
        }
        if state.editingFilter {
            return [("Enter", "Keep filter"), ("Esc", "Clear"), ("Up/Down", "Move"), ("^U", "Erase")]
        }
        return KeyBindings.all.compactMap { binding in
            guard let hint = binding.hint, binding.screens?.contains(state.screen) ?? true,
                  !(isReadOnly && binding.mutating) else { return nil }
            if hint.key == "p" { return (hint.key, state.paused ? "Resume" : "Pause") }
            return hint
        }
    }
}
