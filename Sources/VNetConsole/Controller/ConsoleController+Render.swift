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
        TabBar(current: state.screen, counts: tabCounts, filter: state.list.filter, editingFilter: state.editingFilter,
               warnings: tabWarnings)
            .render(into: &frame, y: 2)
        let body = Rect(x: 0, y: 3, width: size.width, height: size.height - 5)
        renderBody(into: &frame, rect: body)
        for overlay in state.overlays {
            switch overlay {
            case .attach(let form): AttachFormView(state: form).render(into: &frame, area: body)
            case .confirm(let confirm) where confirm.plan.action == .forgetNode:
                // A forget-node plan is made against the registry: its generation is the VNet's revision.
                ConfirmDialog(state: confirm, currentGeneration: vnet?.status.map { UInt64(clamping: $0.revision) },
                              scope: .vnet).render(into: &frame, area: body)
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
        lastTable = nil
        let page = state.overlays.last { $0 == .help || $0.isDetail }
        if page == .help {
            HelpScreen.render(readOnly: isReadOnly, demo: demo != nil, into: &frame, rect: rect)
            return
        }
        if case .event(let number)? = page {
            EventDetailScreen.render(events, number: number, into: &frame, rect: rect)
            return
        }
        if state.screen == .events, page == nil {
            EventsScreen.renderSummary(events, into: &frame, rect: rect)
            let table = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
            state.list.top = EventsScreen.renderTable(eventRows(state.list), list: state.list, into: &frame, rect: table)
            lastTable = table
            return
        }
        if state.screen == .vnet, page == nil {
            let drawn = VNetScreen.render(vnet, list: state.list, now: now(), into: &frame, rect: rect)
            state.list.top = drawn.top
            lastTable = drawn.table
            return
        }
        guard let data else {
            let text = lastError ?? "waiting for the first snapshot"
            frame.put(text, x: 1, y: rect.y + 1, role: lastError == nil ? .dim : .bad, limit: rect.width - 2)
            return
        }
        if case .detail(let key)? = page {
            EndpointDetailScreen.render(data, key: key, history: history, probe: probe?.key == key ? probe : nil, now: now(),
                                        into: &frame, rect: rect)
            return
        }
        let list = state.list
        switch state.screen {
        case .overview:
            let rest = DemoHintLine.render(configuration.demoHint, into: &frame, rect: rect)
            OverviewScreen.render(data, vnet: vnet, events: eventSource == nil ? nil : events, history: history, now: now(),
                                  into: &frame, rect: rest)
        case .endpoints:
            state.list.top = EndpointsScreen.renderTable(EndpointsScreen.prepared(data, list: list), list: list,
                                                          into: &frame, rect: rect)
            lastTable = rect
        case .links:
            state.list.top = LinksScreen.renderTable(LinksScreen.prepared(data, list: list), list: list,
                                                      into: &frame, rect: rect)
            lastTable = rect
        case .nat:
            let rest = NATScreen.renderRules(data, into: &frame, rect: rect)
            state.list.top = NATScreen.renderTable(NATScreen.prepared(data, list: list), list: list,
                                                    into: &frame, rect: rest)
            lastTable = rest
        case .security:
            var form: VerifyFormState?
            if case .verify(let open)? = state.topOverlay { form = open }
            let drawn = SecurityScreen.render(data, list: list, pod: securityPod(), form: form, verdict: state.lastVerdict,
                                              into: &frame, rect: rect)
            state.list.top = drawn.top
            lastTable = drawn.table
        case .vnet, .events:
            break
        case .leaks:
            let rows = LeaksScreen.prepared(data, list: list)
            let pane = rect.height >= 14 ? 6 : 3
            let tableRect = Rect(x: rect.x, y: rect.y, width: rect.width, height: rect.height - pane)
            state.list.top = LeaksScreen.renderTable(rows, list: list, into: &frame, rect: tableRect, marks: state.marks)
            lastTable = tableRect
            let selected = rows.first { LeaksScreen.id($0) == list.selectedID } ?? rows.first
            LeaksScreen.renderEvidence(selected, marked: state.marks.count, into: &frame,
                                       rect: Rect(x: rect.x, y: tableRect.maxY, width: rect.width, height: pane))
        }
    }

    /// The hint bar, from the live mode's key table: over help and details their own layouts, on a
    /// screen the rows it offers there.
    func hints() -> [(key: String, label: String)] {
        let readOnly = isReadOnly, paused = state.paused
        switch keyMode {
        case .confirm: return KeyTables.confirm.hints(readOnly: readOnly, paused: paused)
        case .form: return KeyTables.form.hints(readOnly: readOnly, paused: paused)
        case .verify: return KeyTables.verifyForm.hints(readOnly: readOnly, paused: paused)
        case .filter: return KeyTables.filter.hints(readOnly: readOnly, paused: paused)
        case .screens: break
        }
        let table = KeyTables.screens
        switch state.topOverlay {
        case .help?: return table.hints(KeyTables.helpHints, readOnly: readOnly, paused: paused)
        case .event?: return table.hints(KeyTables.eventHints, readOnly: readOnly, paused: paused)
        case .detail?: return table.hints(KeyTables.detailHints, readOnly: readOnly, paused: paused)
        default: return table.hints(readOnly: readOnly, paused: paused, on: state.screen, demo: demo != nil)
        }
    }
}
