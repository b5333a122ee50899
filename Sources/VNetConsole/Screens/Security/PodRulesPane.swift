import VNetModel

/// The selected pod's effective rules on the Security screen, computed from the data before drawing: which
/// rules it meets, in order, with the rules' counters, and the pod's own counts of new connections its rules
/// decided (the kernel's `pod_in` / `pod_out` set elements) with their movement.
struct PodRulesPane {
    var title: String
    /// "new connections: 1.2k (4.0/s) in, 40 (-) out": what the pod's rules decided for it alone.
    var counters: String
    var rows: [SecurityRuleRow]
    /// The deciding rule of the last verify about this pod, drawn selected.
    var highlighted: String?

    init(_ endpoint: EndpointView, _ data: ConsoleData, security: SecurityReading, answer: RuleAnswer?) {
        title = " pod \(endpoint.pod.display) \(endpoint.address) "
        let nat = data.snapshot.nat, before = data.previous?.nat
        let inbound = Self.movement(nat.filteredInbound, before?.filteredInbound, endpoint.address, seconds: data.rates.seconds)
        let outbound = Self.movement(nat.filteredOutbound, before?.filteredOutbound, endpoint.address, seconds: data.rates.seconds)
        counters = "new connections: \(inbound) in, \(outbound) out  (rules count over all pods)"
        let effective = security.effective(for: endpoint.pod)
        rows = SecurityRulesTable.rows(effective.inbound + effective.outbound, security: security, rates: data.securityRates)
        let answered = answer.map { $0.flow.pod == endpoint.address } ?? false
        highlighted = answered ? answer.map { RuleCounterKey($0.rule).description } : nil
    }

    /// "1.2k (4.0/s)": the pod's count and its rate over the last refresh; "0" for a pod the kernel does not
    /// count (not attached under these rules yet), "-" for the rate before a second snapshot.
    static func movement(_ now: [PodNATCounter], _ before: [PodNATCounter]?, _ address: IPv4Address, seconds: Double?) -> String {
        let current = now.first { $0.address == address }
        let previous = before?.first { $0.address == address }
        let count = Format.count(current?.packets ?? 0)
        guard let current, let previous, let seconds,
              let delta = CounterDelta(packets: (previous.packets, current.packets), bytes: (previous.bytes, current.bytes),
                                       seconds: seconds) else { return "\(count) (-)" }
        return "\(count) (\(Format.countRate(delta.packetsPerSecond)))"
    }

    /// The pod's rules without the PODS column: they all select this pod.
    static var columns: [TableColumn<SecurityRuleRow>] { SecurityRulesTable.columns.filter { $0.title != "PODS" } }

    func render(into frame: inout Frame, rect: Rect) {
        guard rect.height >= 2 else { return }
        frame.hline(x: rect.x, y: rect.y, width: rect.width, role: .border)
        frame.put(title, x: rect.x + 2, y: rect.y, role: .title, limit: rect.width - 4)
        frame.put(counters, x: rect.x + 1, y: rect.y + 1, role: .normal, limit: rect.width - 2)
        let selected = highlighted.flatMap { id in rows.firstIndex { SecurityRulesTable.id($0) == id } }
        let table = TableView(columns: Self.columns, rows: rows, selected: selected, top: 0, sort: nil, isMarked: nil,
                              emptyMessage: "no rules apply to this pod")
        table.render(into: &frame, rect: Rect(x: rect.x, y: rect.y + 2, width: rect.width, height: rect.height - 2))
    }
}
