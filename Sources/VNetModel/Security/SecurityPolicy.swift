/// A network's security rules as one node enforces them: the operator's rules, what the tags mean here,
/// and, per direction, the one evaluation order every pod's rules are a subsequence of.
///
/// Priorities are unique per direction, so sorting all rules once gives each pod's order too: a pod's
/// effective rules are this order with the rules whose `pods` globs miss it left out. The kernel's chains
/// are laid out in this order and skip such a rule for such a pod by a set lookup; `rules verify` walks
/// `effective(for:)`. Both come from here.
public struct SecurityPolicy: Hashable, Sendable {
    /// The operator's rules (`securityRules`), as parsed.
    public var rules: [SecurityRule]
    public var context: RuleContext

    public init(rules: [SecurityRule], context: RuleContext) {
        self.rules = rules
        self.context = context
    }

    /// The operator's rules and the defaults of `direction`, by priority.
    public func order(_ direction: SecurityRule.Direction) -> [SecurityRule] {
        EffectiveRules(rules: rules, pod: nil, includingEveryPodsRules: true).rules(direction)
    }

    /// The rules `pod` is subject to, in evaluation order.
    public func effective(for pod: PodIdentity) -> EffectiveRules {
        EffectiveRules(rules: rules, pod: Self.identity(of: pod))
    }

    /// The decision for `flow` of the pod `pod`: the deciding rule (the defaults end with a catch-all).
    public func decide(_ flow: Flow, pod: PodIdentity) -> SecurityRule? {
        effective(for: pod).decide(flow, context: context)
    }

    /// "namespace/name", what the `pods` globs match; nil unless the runtime gave both (K8S_POD_NAMESPACE
    /// and K8S_POD_NAME), and then only rules for every pod apply.
    public static func identity(of pod: PodIdentity) -> String? {
        guard let namespace = pod.namespace, let name = pod.name else { return nil }
        return "\(namespace)/\(name)"
    }

    /// A short fingerprint of the rules and what the tags resolve to: a table built for another policy has
    /// another one, which the per-ADD look at the table (rule comments only) notices.
    public var digest: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(rules.map(Self.canonical))|\(context.virtualNetwork)|\(context.nodeAddresses)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    private static func canonical(_ rule: SecurityRule) -> String {
        "\(rule.name) \(rule.priority) \(rule.direction.rawValue) \(rule.access.rawValue) \(rule.transport.rawValue) "
            + "\(rule.sources) \(rule.sourcePorts) \(rule.destinations) \(rule.destinationPorts) \(rule.pods.map(\.pattern))"
    }
}
