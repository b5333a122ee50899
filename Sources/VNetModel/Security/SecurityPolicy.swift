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
    /// another one, which the per-ADD look at the table (rule comments only) notices. Fed field by field:
    /// every ADD computes it, and rendering the rules as text cost more than the rest of an ADD.
    public var digest: String {
        var hash = FNV1a()
        for rule in rules {
            hash.add(rule.name)
            hash.add(UInt64(rule.priority))
            hash.add(rule.direction.rawValue)
            hash.add(rule.access.rawValue)
            hash.add(rule.transport.rawValue)
            for side in [rule.sources, rule.destinations] {
                hash.add(UInt64(side.count))
                for match in side { hash.add(match.description) }
            }
            for ports in [rule.sourcePorts, rule.destinationPorts] {
                hash.add(UInt64(ports.count))
                for range in ports { hash.add(UInt64(range.lower) << 16 | UInt64(range.upper)) }
            }
            hash.add(UInt64(rule.pods.count))
            for glob in rule.pods { hash.add(glob.pattern) }
        }
        for prefix in context.virtualNetwork { hash.add(UInt64(prefix.address.value) << 8 | UInt64(prefix.length)) }
        for address in context.nodeAddresses { hash.add(UInt64(address.value)) }
        let hex = String(hash.value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}

/// 64-bit FNV-1a over the fields it is fed, each ended so that ("ab", "c") and ("a", "bc") differ.
private struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        for byte in text.utf8 { mix(byte) }
        mix(0)
    }

    mutating func add(_ number: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: number >> UInt64(shift))) }
        mix(0xff)
    }

    private mutating func mix(_ byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x0000_0100_0000_01b3
    }
}
