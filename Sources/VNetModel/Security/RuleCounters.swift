/// What a security rule's counters are filed under: priorities are unique per direction, so one rule is one
/// key whatever its name.
public struct RuleCounterKey: Hashable, Sendable, CustomStringConvertible {
    public var direction: SecurityRule.Direction
    public var priority: Int

    public init(direction: SecurityRule.Direction, priority: Int) {
        self.direction = direction
        self.priority = priority
    }

    public init(_ rule: SecurityRule) { self.init(direction: rule.direction, priority: rule.priority) }

    /// "inbound/100": a rule's identity in tables and rows.
    public var description: String { "\(direction.rawValue)/\(priority)" }
}

/// Packets and bytes a counter saw.
public struct TrafficCounter: Hashable, Sendable {
    public var packets: UInt64
    public var bytes: UInt64

    public init(packets: UInt64 = 0, bytes: UInt64 = 0) {
        self.packets = packets
        self.bytes = bytes
    }
}

extension TrafficCounter {
    /// Each rule's counters from the kernel's: one security rule may be several kernel rules (one per prefix
    /// alternative or transport), all under its comment, so they are summed by it.
    public static func byRule(_ kernelRules: [NATRuleCounter]) -> [RuleCounterKey: TrafficCounter] {
        var counters: [RuleCounterKey: TrafficCounter] = [:]
        for rule in kernelRules {
            guard let (direction, priority) = SecurityRuleComment.parse(rule.comment) else { continue }
            let key = RuleCounterKey(direction: direction, priority: priority)
            counters[key, default: TrafficCounter()].packets &+= rule.packets
            counters[key, default: TrafficCounter()].bytes &+= rule.bytes
        }
        return counters
    }
}
