import VNetModel

/// The Security screen's controls: which pod its lower pane shows, and the verify form (`v`), which asks the
/// front end's `RuleVerifier` and shows the answer in the form, the deciding rule selected in the list.
extension ConsoleController {
    /// The pod the Security screen is about: the one selected on the Endpoints screen (or its first), so
    /// "the selected pod" means one pod across screens. A verify about another pod selects that one.
    func securityPod() -> EndpointView? {
        guard let data else { return nil }
        let ids = visibleIDs(.endpoints)
        let id = state.lists[.endpoints]?.selectedID.flatMap { ids.contains($0) ? $0 : nil } ?? ids.first
        return data.snapshot.endpoints.first { $0.key.description == id }
    }

    /// `v`: opens the verify form about the selected pod. It reads only, so read-only consoles have it too.
    func beginVerify() {
        guard state.overlays.isEmpty, state.screen == .security else {
            setStatus("verify works on the Security screen: press 8", .info)
            return
        }
        guard data?.security != nil else {
            setStatus("this network has no securityRules: every flow is allowed, nothing to verify", .info)
            return
        }
        guard verifier != nil else {
            setStatus("verify is not available in this console (no rule verifier): use vnetctl rules verify", .error)
            return
        }
        let pod = securityPod().map { $0.pod.name == nil ? $0.key.containerID : $0.pod.display } ?? ""
        state.overlays.append(.verify(VerifyFormState(pod: pod)))
    }

    /// Runs a command of the verify form's table.
    func handleVerifyForm(_ command: VerifyFormCommand, _ form: VerifyFormState) {
        var f = form
        let fields = VerifyFormState.Field.allCases
        switch command {
        case .close:
            state.overlays.removeLast()
            return
        case .nextField:
            f.focus = fields[(f.focus.rawValue + 1) % fields.count]
        case .previousField:
            f.focus = fields[(f.focus.rawValue + fields.count - 1) % fields.count]
        case .erase:
            if !f[f.focus].isEmpty { f[f.focus].removeLast() }
            f.error = nil
        case .clearField:
            f[f.focus] = ""
            f.error = nil
        case .type(let c):
            f[f.focus].unicodeScalars.append(c)
            f.error = nil
        case .verify:
            verify(&f)
        }
        state.overlays[state.overlays.count - 1] = .verify(f)
    }

    /// Asks the verifier; the answer goes into the form, onto the status line, and selects the deciding rule
    /// in the rules list and the pod on the Endpoints screen (so the lower pane shows that pod). Bad input
    /// and the node's refusals stay in the form.
    private func verify(_ form: inout VerifyFormState) {
        form.answer = nil
        let question: RuleQuestion
        switch form.question() {
        case .failure(let error):
            form.error = error.message
            return
        case .success(let q):
            question = q
        }
        guard let verifier else { return }
        do {
            let answer = try verifier.verify(question)
            form.error = nil
            form.answer = answer
            state.lastVerdict = answer
            select(answer)
            setStatus(answer.line, answer.rule.access == .allow ? .success : .info)
        } catch {
            form.error = "cannot verify: \(error)"
        }
    }

    private func select(_ answer: RuleAnswer) {
        let rule = RuleCounterKey(answer.rule).description
        if !visibleIDs(.security).contains(rule) { state.lists[.security, default: ListState()].filter = "" }
        state.lists[.security, default: ListState()].selectedID = rule
        if let endpoint = data?.snapshot.endpoints.first(where: { $0.address == answer.flow.pod }) {
            state.lists[.endpoints, default: ListState()].selectedID = endpoint.key.description
        }
    }
}
