import VNetModel

/// Keys outside dialogs: navigation, screens, filter, sort, marks, pause and interval.
extension ConsoleController {
    /// Applies one key. Dialogs and the form take keys first, then filter typing, then the screen.
    public func handle(_ key: Key) {
        if key == .control("l") {
            needsFullRedraw = true
            return
        }
        switch state.topOverlay {
        case .confirm(let confirm)?:
            handleConfirm(key, confirm)
            return
        case .attach(let form)?:
            handleForm(key, form)
            return
        default:
            break
        }
        if state.editingFilter {
            handleFilterKey(key)
            return
        }
        switch key {
        case .character("q"), .function(10):
            state.quit = true
        case .character("?"), .function(1):
            if state.topOverlay == .help { state.overlays.removeLast() } else { state.overlays.append(.help) }
        case .escape:
            back()
        case .tab:
            show(state.screen.next())
        case .backTab:
            show(state.screen.next(forward: false))
        case .character(let c) where ("1"..."5").contains(c):
            if let screen = ScreenID(rawValue: Int(c.value) - 0x30) { show(screen) }
        case .up, .character("k"):
            moveSelection(by: -1)
        case .down, .character("j"):
            moveSelection(by: 1)
        case .pageUp:
            moveSelection(by: -pageRows)
        case .pageDown:
            moveSelection(by: pageRows)
        case .home, .character("g"):
            moveSelection(toEnd: false)
        case .end, .character("G"):
            moveSelection(toEnd: true)
        case .enter:
            openDetail()
        case .character("/"):
            startFilter()
        case .character("s"):
            if state.overlays.isEmpty { cycleSort() }
        case .character("S"):
            if state.overlays.isEmpty { reverseSort() }
        case .character(" "):
            toggleMark()
        case .character("a"):
            beginAttach()
        case .character("d"):
            beginDetach()
        case .character("r"):
            beginReclaim()
        case .character("p"):
            state.paused.toggle()
            if state.paused {
                let asOf = data.map { " (data as of \(Format.clock($0.snapshot.takenAt)))" } ?? ""
                setStatus("paused\(asOf): p resumes", .info)
            } else {
                setStatus("resumed", .info)
            }
        case .character("+"), .character("="):
            stepInterval(up: true)
        case .character("-"), .character("_"):
            stepInterval(up: false)
        default:
            break
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

    func handleFilterKey(_ key: Key) {
        switch key {
        case .escape:
            state.list.filter = ""
            state.editingFilter = false
        case .enter:
            state.editingFilter = false
        case .backspace, .delete:
            if !state.list.filter.isEmpty { state.list.filter.removeLast() }
        case .control("u"):
            state.list.filter = ""
        case .up:
            moveSelection(by: -1)
        case .down:
            moveSelection(by: 1)
        case .character(let c):
            state.list.filter.unicodeScalars.append(c)
        default:
            break
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
    var isDetail: Bool {
        if case .detail = self { return true }
        return false
    }
}
