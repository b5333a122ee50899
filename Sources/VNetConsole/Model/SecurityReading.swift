#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The network's security rules and what the kernel counted for each, read once per refresh by the snapshot
/// source (`SnapshotSource.securityReading()`), off the drawing path. nil stands for a network without
/// `securityRules`, where no pod's traffic is filtered.
public struct SecurityReading: Hashable, Sendable {
    /// When the counters were read: the movement is measured between two readings' times, not the snapshots'.
    public var takenAt: Date
    /// The operator's rules as configured (`securityRules`), without the defaults.
    public var rules: [SecurityRule]
    /// Packets and bytes per rule, summed over the kernel rules one security rule compiles to; a rule the
    /// table does not hold yet has none.
    public var counters: [RuleCounterKey: TrafficCounter]
    /// Why the counters could not be read (no pod yet, nftables refused); the rules still show.
    public var counterError: String?

    public init(takenAt: Date, rules: [SecurityRule], counters: [RuleCounterKey: TrafficCounter], counterError: String? = nil) {
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

    public func counter(_ rule: SecurityRule) -> TrafficCounter? { counters[RuleCounterKey(rule)] }
}
