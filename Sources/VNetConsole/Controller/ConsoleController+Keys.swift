import VNetModel

/// Keys: each is looked up in the key table of the current mode and runs the command found there, so the
/// controller does nothing a table (and with it help and the hint bar) does not say.
extension ConsoleController {
    /// Which key table is live: a dialog's first, then the filter line's, then the screens'.
    enum KeyMode {
        case confirm(ConfirmState)
        case form(AttachFormState)
        case verify(VerifyFormState)
        case filter
        case screens
    }

    var keyMode: KeyMode {
        switch state.topOverlay {
        case .confirm(let confirm)?: return .confirm(confirm)
        case .attach(let form)?: return .form(form)
        case .verify(let form)?: return .verify(form)
        default: return state.editingFilter ? .filter : .screens
        }
    }

    /// Applies one key. Ctrl-L redraws in every mode, dialogs and filter typing included; any other key
    /// means what the live mode's table says, or nothing.
    public func handle(_ key: Key) {
        if KeyTables.screens.command(for: key) == .redraw {
            perform(.redraw)
            return
        }
        switch keyMode {
        case .confirm(let confirm):
            if let command = KeyTables.confirm.command(for: key) { handleConfirm(command, confirm) }
        case .form(let form):
            if let command = KeyTables.form.command(for: key) { handleForm(command, form) }
        case .verify(let form):
            if let command = KeyTables.verifyForm.command(for: key) { handleVerifyForm(command, form) }
        case .filter:
            if let command = KeyTables.filter.command(for: key) { handleFilter(command) }
        case .screens:
            if let command = KeyTables.screens.command(for: key) { perform(command) }
        }
    }

    /// Runs a command of the screens' table.
    func perform(_ command: ConsoleCommand) {
        switch command {
        case .toggleHelp:
            if state.topOverlay == .help { state.overlays.removeLast() } else { state.overlays.append(.help) }
        case .showScreen(let screen): show(screen)
        case .nextScreen: show(state.screen.next())
        case .previousScreen: show(state.screen.next(forward: false))
        case .move(let move): moveSelection(move)
        case .openDetail: openDetail()
        case .startFilter: startFilter()
        case .cycleSort: if state.overlays.isEmpty { cycleSort() }
        case .reverseSort: if state.overlays.isEmpty { reverseSort() }
        case .toggleMark: toggleMark()
        case .attach: beginAttach()
        case .detach: beginDetach()
        case .reclaim: beginReclaim()
        case .probe: beginProbe()
        case .verifyFlow: beginVerify()
        case .forgetNode: beginForgetNode()
        case .breakPod: breakDemoPod()
        case .togglePause: togglePause()
        case .refreshLessOften: stepInterval(up: true)
        case .refreshMoreOften: stepInterval(up: false)
        case .redraw: needsFullRedraw = true
        case .back: back()
        case .quit: state.quit = true
        }
    }

    func moveSelection(_ move: ConsoleCommand.Move) {
        switch move {
        case .up: moveSelection(by: -1)
        case .down: moveSelection(by: 1)
        case .pageUp: moveSelection(by: -pageRows)
        case .pageDown: moveSelection(by: pageRows)
        case .top: moveSelection(toEnd: false)
        case .bottom: moveSelection(toEnd: true)
        }
    }

    func show(_ screen: ScreenID) {
        state.overlays.removeAll { $0 == .help || $0.isDetail }
        state.editingFilter = false
        state.screen = screen
    }

    /// Esc: close the top overlay, else clear the filter.
    func back() {
        if !state.overlays.isEmpty {
            state.overlays.removeLast()
        } else if !state.list.filter.isEmpty {
            state.list.filter = ""
            setStatus("filter cleared", .info)
        }
    }

    func openDetail() {
        guard state.overlays.isEmpty else { return }
        switch state.screen {
        case .endpoints:
            guard let id = selectedID(), let endpoint = data?.snapshot.endpoints.first(where: { $0.key.description == id }) else { return }
            state.overlays.append(.detail(endpoint.key))
        case .links:
            guard let name = selectedID() else { return }
            if let endpoint = data?.endpoint(owning: name) {
                state.overlays.append(.detail(endpoint.key))
            } else {
                setStatus("\(name) belongs to no endpoint: no pod path to show", .info)
            }
        case .events:
            guard let id = selectedID(), let number = Int(id) else { return }
            state.overlays.append(.event(number))
        default:
            break
        }
    }

    func startFilter() {
        guard state.overlays.isEmpty else { return }
        guard state.screen != .overview else {
            setStatus("the overview has nothing to filter: Tab to a list", .info)
            return
        }
        state.editingFilter = true
    }

    /// Runs a command of the filter line's table.
    func handleFilter(_ command: FilterCommand) {
        switch command {
        case .clear:
            state.list.filter = ""
            state.editingFilter = false
        case .keep:
            state.editingFilter = false
        case .erase:
            if !state.list.filter.isEmpty { state.list.filter.removeLast() }
        case .eraseAll:
            state.list.filter = ""
        case .moveUp:
            moveSelection(by: -1)
        case .moveDown:
            moveSelection(by: 1)
        case .type(let c):
            state.list.filter.unicodeScalars.append(c)
        }
    }

    /// Space on the Leaks screen marks the selected suspect and moves down, as htop does.
    func toggleMark() {
        guard state.overlays.isEmpty else { return }
        guard state.screen == .leaks else {
            setStatus("marks are for leak suspects (screen 5): r reclaims the marked ones", .info)
            return
        }
        guard let id = selectedID() else { return }
        if state.marks.contains(id) { state.marks.remove(id) } else { state.marks.insert(id) }
        moveSelection(by: 1)
    }

    /// `p`: stops refreshing (the data on screen stays, with its time) or starts again.
    func togglePause() {
        state.paused.toggle()
        if state.paused {
            let asOf = data.map { " (data as of \(Format.clock($0.snapshot.takenAt)))" } ?? ""
            setStatus("paused\(asOf): p resumes", .info)
        } else {
            setStatus("resumed", .info)
        }
    }

    func stepInterval(up: Bool) {
        let steps = configuration.intervalSteps.sorted()
        let current = state.interval
        let next = up ? steps.first { $0 > current + 1e-9 } : steps.last { $0 < current - 1e-9 }
        guard let next else {
            setStatus("refresh interval stays \(Header.interval(current)) (\(up ? "slowest" : "fastest") step)", .info)
            return
        }
        state.interval = next
        setStatus("refresh every \(Header.interval(next))", .info)
    }
}

extension Overlay {
    /// A page that replaces the screen's body (an endpoint's or an event's details).
    var isDetail: Bool {
        switch self {
        case .detail, .event: return true
        default: return false
        }
    }
}
