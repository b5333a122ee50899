import VNetModel

/// Attach, detach, reclaim and forget-node: plan, show, confirm, perform. The plan (with what its targets looked like)
/// is taken when the dialog opens and is exactly what `perform` receives.
extension ConsoleController {
    func refuseReadOnly(_ verb: String) -> Bool {
        guard isReadOnly else { return false }
        // --read-only gives no actions as well: say what the user asked for, not how it is wired.
        let why = configuration.readOnly ? "started read-only" : "no actions are available"
        setStatus("read-only: \(verb) is disabled (\(why))", .error)
        return true
    }

    func beginAttach() {
        guard !refuseReadOnly("attach") else { return }
        state.overlays.removeAll { $0 == .help }
        state.overlays.append(.attach(AttachFormState()))
    }

    func beginDetach() {
        guard !refuseReadOnly("detach") else { return }
        let key: AttachmentKey
        if case .detail(let k)? = state.topOverlay {
            key = k
        } else if state.overlays.isEmpty, state.screen == .endpoints, let id = selectedID(),
                  let endpoint = data?.snapshot.endpoints.first(where: { $0.key.description == id }) {
            key = endpoint.key
        } else {
            setStatus("select an endpoint on screen 2 to detach it", .info)
            return
        }
        openPlan("detach") { try $0.planDetach(key) }
    }

    func beginReclaim() {
        guard !refuseReadOnly("reclaim") else { return }
        guard state.overlays.isEmpty, state.screen == .leaks, let data else {
            setStatus("reclaim works on leak suspects: go to screen 5", .info)
            return
        }
        let suspects = data.snapshot.leaks
        let marked = suspects.filter { state.marks.contains(LeaksScreen.id($0)) }
        let chosen = marked.isEmpty ? suspects.filter { LeaksScreen.id($0) == selectedID() } : marked
        let addresses = chosen.compactMap(\.address)
        guard !addresses.isEmpty else {
            let why = chosen.isEmpty
                ? "no leak suspect selected"
                : "the chosen suspects hold no address: nothing to reclaim (vnetctl gc removes stray links)"
            setStatus(why, .info)
            return
        }
        let skipped = chosen.count - addresses.count
        openPlan("reclaim") { try $0.planReclaim(addresses) }
        if skipped > 0, case .confirm? = state.topOverlay {
            setStatus("\(skipped) marked suspect(s) hold no address and are left out", .info)
        }
    }

    /// Asks for a plan and opens the confirmation dialog on it; a planning error goes to the status line.
    func openPlan(_ verb: String, _ make: (any ConsoleActions) throws -> ChangePlan) {
        guard let actions else { return }
        do {
            let plan = try make(actions)
            state.overlays.append(.confirm(ConfirmState(plan: plan, openedAt: now())))
        } catch {
            setStatus("cannot plan \(verb): \(error)", .error)
        }
    }

    /// Runs a command of the confirmation dialog's table.
    func handleConfirm(_ command: ConfirmCommand, _ confirm: ConfirmState) {
        var c = confirm
        switch command {
        case .switchFocus:
            c.focus = c.focus == .cancel ? .apply : .cancel
        case .scrollUp:
            c.scroll = max(0, c.scroll - 1)
        case .scrollDown:
            c.scroll += 1
        case .cancel:
            cancelConfirm()
            return
        case .choose:
            if c.focus == .apply { apply(c.plan) } else { cancelConfirm() }
            return
        }
        state.overlays[state.overlays.count - 1] = .confirm(c)
    }

    func cancelConfirm() {
        state.overlays.removeLast()
        setStatus("cancelled: nothing was changed", .info)
    }

    /// Performs the captured plan, closes the dialog (and the form under it), and refreshes.
    func apply(_ plan: ChangePlan) {
        state.overlays.removeLast()
        if case .attach? = state.topOverlay { state.overlays.removeLast() }
        // A forget-node plan changes the registry, so the VNet's actions carry it out; the rest this node's.
        let performer: ((ChangePlan) throws -> String)? = plan.action == .forgetNode
            ? vnetActions.map { vnet in { try vnet.perform($0) } }
            : actions.map { node in { try node.perform($0) } }
        guard !isReadOnly, let performer else {
            setStatus("read-only: \(plan.action.rawValue) is disabled", .error)
            return
        }
        do {
            let result = try performer(plan)
            setStatus(result, .success)
            if plan.action == .reclaim { state.marks.removeAll() }
            if case .detail? = state.topOverlay, plan.action == .detach { state.overlays.removeLast() }
        } catch {
            setStatus("\(plan.action.rawValue) failed: \(error)", .error)
        }
        let status = state.status
        refresh()
        if lastError == nil { state.status = status }
    }

    /// Runs a command of the attach form's table.
    func handleForm(_ command: FormCommand, _ form: AttachFormState) {
        var f = form
        let fields = AttachFormState.Field.allCases
        switch command {
        case .cancel:
            state.overlays.removeLast()
            setStatus("attach cancelled", .info)
            return
        case .nextField:
            f.focus = fields[(f.focus.rawValue + 1) % fields.count]
            f.completion = nil
        case .previousField:
            f.focus = fields[(f.focus.rawValue + fields.count - 1) % fields.count]
            f.completion = nil
        case .complete:
            completeOrMoveOn(&f)
        case .erase:
            if !f[f.focus].isEmpty { f[f.focus].removeLast() }
            f.completion = nil
        case .clearField:
            f[f.focus] = ""
            f.completion = nil
        case .type(let c):
            f[f.focus].unicodeScalars.append(c)
            f.error = nil
            f.completion = nil
        case .submit:
            switch f.request() {
            case .failure(let error):
                f.error = error.message
            case .success(let request):
                guard let actions else { return }
                do {
                    let plan = try actions.planAttach(request)
                    f.error = nil
                    state.overlays[state.overlays.count - 1] = .attach(f)
                    state.overlays.append(.confirm(ConfirmState(plan: plan, openedAt: now())))
                    return
                } catch {
                    f.error = "cannot plan: \(error)"
                }
            }
        }
        state.overlays[state.overlays.count - 1] = .attach(f)
    }

    /// Tab in the form: in the netns field, completes a name from the actions' listing of /var/run/netns;
    /// with nothing (more) to complete, or in another field, moves to the next field. No match moves on too,
    /// saying so, so Tab never traps the cursor in a field.
    func completeOrMoveOn(_ form: inout AttachFormState) {
        let fields = AttachFormState.Field.allCases
        let moveOn = { (f: inout AttachFormState) in
            f.focus = fields[(f.focus.rawValue + 1) % fields.count]
            f.completion = nil
        }
        guard form.focus == .netns else { return moveOn(&form) }
        let typed = form[.netns]
        switch form.completeNetns(among: actions?.namedNamespaces() ?? []) {
        case .extended, .cycled:
            form.error = nil
        case .complete:
            moveOn(&form)
        case .noMatch:
            form.error = typed.isEmpty ? "no named namespace in /var/run/netns: type a path" : "no name in /var/run/netns starts with \"\(typed)\""
            moveOn(&form)
        }
    }
}
