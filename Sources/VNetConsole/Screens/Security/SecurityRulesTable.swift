import VNetModel

/// One security rule on the Security screen: the rule, its counter and how far the counter moved since the
/// previous reading.
struct SecurityRuleRow {
    var rule: SecurityRule
    /// Position in evaluation order (inbound first), what the table shows until the operator sorts.
    var order: Int
    var counter: TrafficCounter?
    var delta: CounterDelta?
}

/// Screen 8's top table: every rule, the defaults included, in evaluation order (inbound, then outbound,
/// each by priority), as `vnetctl rules list` prints them, with counters and packets per second. Filter and
/// sort come with `ListScreen`; a sort by packets or rate finds the busy rule, `S`/`s` back to DIR restores
/// the order that decides.
enum SecurityRulesTable: ListScreen {
    static func rows(_ data: ConsoleData) -> [SecurityRuleRow] {
        guard let security = data.security else { return [] }
        return rows(security.ordered, security: security, rates: data.securityRates)
    }

    /// Rows for `rules` (all of them, or one pod's), with their counters and movement.
    static func rows(_ rules: [SecurityRule], security: SecurityReading, rates: SecurityRates) -> [SecurityRuleRow] {
        rules.enumerated().map { i, rule in
            SecurityRuleRow(rule: rule, order: i, counter: security.counter(rule), delta: rates.rule(rule))
        }
    }

    static var columns: [TableColumn<SecurityRuleRow>] {
        [
            TableColumn("DIR", width: 3, text: { $0.rule.direction == .inbound ? "in" : "out" }, sort: { .number(Double($0.order)) }),
            TableColumn("PRIO", width: 5, alignRight: true, text: { "\($0.rule.priority)" }),
            // The defaults come with every network; marking them tells the operator's rules apart at a glance.
            TableColumn("D", width: 1, text: { $0.rule.isDefault ? "d" : "" }, role: { _ in .dim }),
            TableColumn("NAME", width: 14, flexible: true, maxWidth: 28, text: { $0.rule.name },
                        role: { $0.rule.isDefault ? .dim : nil }, sort: { .text($0.rule.name) }),
            TableColumn("ACCESS", width: 6, text: { $0.rule.access.rawValue }, role: { $0.rule.access == .allow ? .good : .bad }),
            TableColumn("PROTO", width: 5, text: { $0.rule.transport.rawValue }),
            TableColumn("SOURCE", width: 11, flexible: true, maxWidth: 30, priority: 2, text: { list($0.rule.sources) }),
            TableColumn("PORTS", width: 9, flexible: true, maxWidth: 24, priority: 1, text: { ports($0.rule) }),
            TableColumn("DESTINATION", width: 11, flexible: true, maxWidth: 30, priority: 3, text: { list($0.rule.destinations) }),
            TableColumn("PODS", width: 8, flexible: true, maxWidth: 24, priority: 4,
                        text: { $0.rule.pods.isEmpty ? "*" : $0.rule.pods.map(\.pattern).joined(separator: ",") }),
            TableColumn("PACKETS", width: 7, alignRight: true, text: { $0.counter.map { Format.count($0.packets) } ?? "-" },
                        sort: { .number(Double($0.counter?.packets ?? 0)) }),
            TableColumn("+PKTS", width: 6, priority: 5, alignRight: true, text: { $0.delta.map { Format.count($0.packets) } ?? "-" },
                        sort: { .number(Double($0.delta?.packets ?? 0)) }),
            TableColumn("PKT/s", width: 7, alignRight: true, text: { Format.countRate($0.delta?.packetsPerSecond) },
                        sort: { .number($0.delta?.packetsPerSecond ?? 0) }),
        ]
    }

    static func id(_ row: SecurityRuleRow) -> String { RuleCounterKey(row.rule).description }

    static func searchText(_ row: SecurityRuleRow) -> String {
        let r = row.rule
        return "\(r.direction.rawValue) \(r.priority) \(r.name) \(r.access.rawValue) \(r.transport.rawValue) \(list(r.sources)) "
            + "\(ports(r)) \(list(r.destinations)) \(r.pods.map(\.pattern).joined(separator: ",")) \(r.isDefault ? "default" : "")"
    }

    static var emptyMessage: String { "no rules" }

    static func list(_ items: [some CustomStringConvertible]) -> String { items.map(\.description).joined(separator: ",") }

    /// The destination ports, and the source ports when a rule narrows them ("22 from 1024-65535"): what a
    /// flow's port is checked against.
    static func ports(_ rule: SecurityRule) -> String {
        let to = list(rule.destinationPorts)
        return rule.sourcePorts.allSatisfy(\.isAny) ? to : "\(to) from \(list(rule.sourcePorts))"
    }
}
