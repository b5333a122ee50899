import VNetModel

/// One pod's SNAT counter on the NAT screen.
struct NATPodRow {
    var counter: PodNATCounter
    var pod: String
    var delta: CounterDelta?
    /// The pod's public IP and host ports ("-" for none): what reaches it from outside through the node.
    var exposed: String
}

/// Screen 4: vnet's nftables rules with counters and movement, then the per-pod SNAT counters (the table
/// that scrolls, sorts and filters).
enum NATScreen: ListScreen {
    static func rows(_ data: ConsoleData) -> [NATPodRow] {
        var podByAddress: [IPv4Address: String] = [:]
        var exposedByAddress: [IPv4Address: String] = [:]
        for endpoint in data.snapshot.endpoints {
            podByAddress[endpoint.address] = endpoint.pod.display
            let exposed = (endpoint.publicIP.map { ["\($0)"] } ?? []) + endpoint.portMappings.map(DetailStage.describe)
            if !exposed.isEmpty { exposedByAddress[endpoint.address] = exposed.joined(separator: " ") }
        }
        for lease in data.snapshot.plainLeases where podByAddress[lease.address] == nil {
            podByAddress[lease.address] = lease.pod.display
        }
        return data.snapshot.nat.perPod.map {
            NATPodRow(counter: $0, pod: podByAddress[$0.address] ?? "-", delta: data.rates.pod($0.address),
                      exposed: exposedByAddress[$0.address] ?? "-")
        }
    }

    static var columns: [TableColumn<NATPodRow>] {
        [
            TableColumn("ADDRESS", width: 15, text: { $0.counter.address.description },
                        sort: { .number(Double($0.counter.address.value)) }),
            TableColumn("POD", width: 14, flexible: true, maxWidth: 48, text: { $0.pod }, sort: { .text($0.pod) }),
            TableColumn("PACKETS", width: 8, alignRight: true, text: { Format.count($0.counter.packets) },
                        sort: { .number(Double($0.counter.packets)) }),
            TableColumn("BYTES", width: 6, alignRight: true, text: { Format.bytes($0.counter.bytes) },
                        sort: { .number(Double($0.counter.bytes)) }),
            TableColumn("+PKTS", width: 6, priority: 1, alignRight: true,
                        text: { $0.delta.map { Format.count($0.packets) } ?? "-" },
                        sort: { .number(Double($0.delta?.packets ?? 0)) }),
            TableColumn("PKT/s", width: 7, priority: 1, alignRight: true, text: { Format.countRate($0.delta?.packetsPerSecond) }),
            TableColumn("B/s", width: 7, priority: 1, alignRight: true, text: { Format.rate($0.delta?.bytesPerSecond) },
                        sort: { .number(Double($0.delta?.bytes ?? 0)) }),
            TableColumn("PUBLIC IP / HOST PORTS", width: 22, flexible: true, maxWidth: 60, priority: 2, text: { $0.exposed },
                        sort: { .text($0.exposed) }),
        ]
    }

    static func id(_ row: NATPodRow) -> String { row.counter.address.description }

    static func searchText(_ row: NATPodRow) -> String { "\(row.counter.address) \(row.pod) \(row.exposed)" }

    static var emptyMessage: String { "no per-pod SNAT counters" }

    /// The summary line and the rules block; returns the rect left for the per-pod table.
    static func renderRules(_ data: ConsoleData, into frame: inout Frame, rect: Rect) -> Rect {
        let nat = data.snapshot.nat
        var y = rect.y
        guard nat.present else {
            frame.put("NAT table absent: vnet's nftables table is not installed on this node", x: rect.x + 1, y: y,
                      role: .bad, limit: rect.width - 1)
            return Rect(x: rect.x, y: y + 2, width: rect.width, height: rect.height - 2)
        }
        var summary = "SNAT to \(nat.snatAddress?.description ?? "-")  rules \(nat.rules.count)  pods \(nat.perPod.count)"
        if let total = data.rates.natRules {
            summary += "  now \(Format.countRate(total.packetsPerSecond)) \(Format.rate(total.bytesPerSecond))"
        }
        frame.put(summary, x: rect.x + 1, y: y, role: .normal, limit: rect.width - 1)
        y += 1
        let rules = nat.rules.sorted { ($0.chain, $0.handle) < ($1.chain, $1.handle) }
        let maxRules = max(1, min(rules.count, (rect.height - 4) / 2))
        let table = TableView(columns: ruleColumns(data), rows: Array(rules.prefix(maxRules)), selected: nil, top: 0,
                              sort: nil, isMarked: nil, emptyMessage: "no rules")
        table.render(into: &frame, rect: Rect(x: rect.x, y: y, width: rect.width, height: maxRules + 1))
        y += maxRules + 1
        if rules.count > maxRules {
            frame.put("\(frame.glyphs.ellipsis) \(rules.count - maxRules) more rules (widen the terminal or use vnetctl nat)",
                      x: rect.x + 1, y: y, role: .dim, limit: rect.width - 1)
            y += 1
        }
        frame.hline(x: rect.x, y: y, width: rect.width, role: .border)
        frame.put(" per-pod SNAT ", x: rect.x + 2, y: y, role: .title)
        y += 1
        return Rect(x: rect.x, y: y, width: rect.width, height: rect.maxY - y)
    }

    private static func ruleColumns(_ data: ConsoleData) -> [TableColumn<NATRuleCounter>] {
        [
            TableColumn("CHAIN", width: 11, text: { $0.chain }),
            TableColumn("#", width: 4, alignRight: true, text: { "\($0.handle)" }),
            TableColumn("PACKETS", width: 8, alignRight: true, text: { Format.count($0.packets) }),
            TableColumn("BYTES", width: 6, alignRight: true, text: { Format.bytes($0.bytes) }),
            TableColumn("+PKTS", width: 6, priority: 1, alignRight: true,
                        text: { data.rates.rule($0).map { Format.count($0.packets) } ?? "-" }),
            TableColumn("B/s", width: 7, priority: 1, alignRight: true, text: { Format.rate(data.rates.rule($0)?.bytesPerSecond) }),
            TableColumn("RULE", width: 16, flexible: true, text: { $0.comment }),
        ]
    }
}
