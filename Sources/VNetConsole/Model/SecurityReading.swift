#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The network's security rules and what the kernel counted for each, read once per refresh by the snapshot
/// source (`SnapshotSource.securityReading()`), off the drawing path. nil stands for a network without
/// `securityRules`, where no pod's traffic is filtered.
///
/// The console keeps its own copy of the counters (not the operations layer's `RuleCounterKey`) because it
/// depends on VNetModel only; the front end translates.
public struct SecurityReading: Hashable, Sendable {
    /// When the counters were read: the movement is measured between two readings' times, not the snapshots'.
    public var takenAt: Date
    /// The operator's rules as configured (`securityRules`), without the defaults.
    public var rules: [SecurityRule]
    /// Packets and bytes per rule, summed over the kernel rules one security rule compiles to; a rule the
    /// table does not hold yet has none.
    public var counters: [SecurityRuleKey: RuleCount]
    /// Why the counters could not be read (no pod yet, nftables refused); the rules still show.
    public var counterError: String?

    public init(takenAt: Date, rules: [SecurityRule], counters: [SecurityRuleKey: RuleCount], counterError: String? = nil) {
        self.takenAt = takenAt
        self.rules = rules
        self.counters = counters
        self.counterError = counterError
    }

    /// Every rule, the defaults included, in evaluation order: inbound, then outbound, each by priority.
    public var ordered: [SecurityRule] {
        let all = EffectiveRules(rules: rules, pod: nil, includingEveryPodsRules: true)
        return all.inbound + all.outbound
    }

    /// The rules `pod` is subject to, in evaluation order: what `Node.effectiveRules(for:)` computes, made
    /// here from the same rules so the selected pod's pane needs no read of its own per frame.
    public func effective(for pod: PodIdentity) -> EffectiveRules {
        EffectiveRules(rules: rules, pod: SecurityPolicy.identity(of: pod))
    }

    public func counter(_ rule: SecurityRule) -> RuleCount? { counters[SecurityRuleKey(rule)] }
}

/// What a rule's counters are filed under: priorities are unique per direction.
public struct SecurityRuleKey: Hashable, Sendable, CustomStringConvertible {
    public var direction: SecurityRule.Direction
    public var priority: Int

    public init(direction: SecurityRule.Direction, priority: Int) {
        self.direction = direction
        self.priority = priority
    }

    public init(_ rule: SecurityRule) { self.init(direction: rule.direction, priority: rule.priority) }

    /// "inbound/100": the row identity on the Security screen.
    public var description: String { "\(direction.rawValue)/\(priority)" }
}

/// A rule's counter: the packets it decided (each new connection's first packet, and anything denied).
public struct RuleCount: Hashable, Sendable {
    public var packets: UInt64
    public var bytes: UInt64

    public init(packets: UInt64, bytes: UInt64) {
        self.packets = packets
        self.bytes = bytes
    }
}

extension SecurityRule {
    /// The defaults sit above the operator's priority range (65000-65500).
    var isDefault: Bool { priority > SecurityRule.priorities.upperBound }
}
