import VNetModel

/// The endpoint details' one line about security rules: how many rules the pod meets per direction (the
/// defaults included) and how many new connections they decided, so "is this pod filtered at all?" is
/// answered without leaving the details. Nothing when the network has no rules: nothing is filtered.
enum RulesSummary {
    /// "rules: 5 in / 5 out, 12 new in, 3 new out (screen 8 lists them)"; nil without `securityRules`.
    static func line(_ endpoint: EndpointView, _ data: ConsoleData) -> String? {
        guard let security = data.security else { return nil }
        let effective = security.effective(for: endpoint.pod)
        let nat = data.snapshot.nat
        let inbound = nat.filteredInbound.first { $0.address == endpoint.address }?.packets ?? 0
        let outbound = nat.filteredOutbound.first { $0.address == endpoint.address }?.packets ?? 0
        return "rules: \(effective.inbound.count) in / \(effective.outbound.count) out, \(Format.count(inbound)) new in, "
            + "\(Format.count(outbound)) new out (screen 8 lists them)"
    }
}
