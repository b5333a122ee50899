import VNetModel

/// The filter part of vnet's table: the security rules as chains, compiled from `SecurityPolicy`.
///
///     set pod_in  { type ipv4_addr; counter; }      # pods under rules; per-pod count of what they decided
///     set pod_out { type ipv4_addr; counter; }
///     set rule_in_100 { type ipv4_addr; }           # one per rule with `pods` globs: the pods it selects
///     chain filter_forward { type filter hook forward priority filter; policy accept;
///       ct state established,related accept       # stateful: replies of allowed connections pass
///       ip saddr @pod_out jump outbound           # the source pod's outbound rules, then
///       ip daddr @pod_in jump inbound             # the destination pod's inbound rules
///     }
///     chain filter_input  { ... ct state ... accept; ip saddr @pod_out jump outbound }   # pod to node
///     chain filter_output { ... ct state ... accept; ip daddr @pod_in jump inbound }     # node to pod
///     chain inbound  { <every inbound rule by priority> counter accept|drop }
///     chain outbound { <every outbound rule by priority> counter return|drop }
///
/// One chain per direction holds every rule in the policy's order; a rule that selects pods by glob first
/// looks the pod up in its own set, so each pod meets exactly its effective rules, in order, and a pod's
/// ADD is only set elements (netlink, no rule change). An outbound allow returns rather than accepts, so
/// traffic between two pods is decided by the source's outbound and then the destination's inbound rules.
/// Bridged pod-to-pod traffic reaches the forward hook through br_netfilter (bridge-nf-call-iptables).
///
/// A rule with several prefixes on a side becomes several kernel rules (one for the listed prefixes, one
/// per negated tag such as Internet); all carry the rule's comment, and its counter is their sum.
struct SecurityLayout {
    static let podInSet = "pod_in"
    static let podOutSet = "pod_out"
    static let inboundChain = "inbound"
    static let outboundChain = "outbound"
    static let forwardChain = "filter_forward"
    static let inputChain = "filter_input"
    static let outputChain = "filter_output"

    let sets: [NATLayout.SetSpec]
    let chains: [NATLayout.ChainSpec]
    let rules: [NATLayout.RuleSpec]

    init(_ policy: SecurityPolicy, expressions: Bool = true) {
        typealias J = NftJSON
        var sets = [NATLayout.SetSpec(name: Self.podInSet, counted: true), NATLayout.SetSpec(name: Self.podOutSet, counted: true)]
        for direction in SecurityRule.Direction.allCases {
            for rule in policy.order(direction) where !rule.pods.isEmpty {
                sets.append(NATLayout.SetSpec(name: Self.setName(of: rule), counted: false))
            }
        }
        self.sets = sets
        chains = [NATLayout.ChainSpec(name: Self.forwardChain, type: "filter", hook: "forward", priority: 0),
                  NATLayout.ChainSpec(name: Self.inputChain, type: "filter", hook: "input", priority: 0),
                  NATLayout.ChainSpec(name: Self.outputChain, type: "filter", hook: "output", priority: 0),
                  NATLayout.ChainSpec(regular: Self.inboundChain), NATLayout.ChainSpec(regular: Self.outboundChain)]

        let established = J.object(["match": J.object(["op": .string("in"), "left": J.object(["ct": J.object(["key": .string("state")])]),
                                                       "right": .array([.string("established"), .string("related")])])])
        let accept = J.object(["accept": .null])
        // The policy's digest rides on the first rule's comment: the per-ADD look at the table compares
        // comments only, and so notices a changed policy.
        let stateful = "vnet: replies of allowed connections pass (rules \(policy.digest))"
        func jump(_ field: String, _ set: String, _ chain: String) -> [JSONValue] {
            [Self.match("==", Self.ip(field), .string("@\(set)")), J.object(["jump": J.object(["target": .string(chain)])])]
        }
        let toOutbound = NATLayout.RuleSpec(chain: "", comment: "vnet: a pod's outbound rules decide its traffic",
                                            expr: jump("saddr", Self.podOutSet, Self.outboundChain))
        let toInbound = NATLayout.RuleSpec(chain: "", comment: "vnet: a pod's inbound rules decide traffic to it",
                                           expr: jump("daddr", Self.podInSet, Self.inboundChain))
        var rules: [NATLayout.RuleSpec] = []
        for (chain, jumps) in [(Self.forwardChain, [toOutbound, toInbound]), (Self.inputChain, [toOutbound]), (Self.outputChain, [toInbound])] {
            rules.append(NATLayout.RuleSpec(chain: chain, comment: stateful, expr: [established, accept]))
            rules += jumps.map { NATLayout.RuleSpec(chain: chain, comment: $0.comment, expr: $0.expr) }
        }
        for direction in SecurityRule.Direction.allCases {
            for rule in policy.order(direction) {
                rules += Self.compile(rule, context: policy.context, expressions: expressions)
            }
        }
        self.rules = rules
    }

    /// The filter sets `pod` belongs in under `policy`.
    static func sets(holding pod: NATPod, policy: SecurityPolicy) -> [String] {
        let identity = SecurityPolicy.identity(of: pod.pod)
        var names = [podInSet, podOutSet]
        for direction in SecurityRule.Direction.allCases {
            for rule in policy.order(direction) where !rule.pods.isEmpty && rule.applies(to: identity) {
                names.append(setName(of: rule))
            }
        }
        return names
    }

    /// The set of the pods a rule with globs selects: priorities are unique per direction.
    static func setName(of rule: SecurityRule) -> String {
        "rule_\(rule.direction == .inbound ? "in" : "out")_\(rule.priority)"
    }


    /// One way a side of a rule matches: any address, one of the listed prefixes, or none of them (a
    /// negated tag such as Internet).
    enum AddressAlternative: Equatable {
        case any
        case within([IPv4Prefix])
        case outside([IPv4Prefix])
    }

    /// How a rule matches the transport: not at all, by protocol only, or by one transport's port fields.
    enum TransportAlternative: Equatable {
        case any
        case protocolOnly(String)
        case ports(String)
    }

    /// The kernel rules of one security rule, in its direction's chain. None when a side resolves to no
    /// address at all (a `Node` tag on a node without addresses): such a rule never matches. Without
    /// `expressions` only the rules' chain and comment are made: all the per-ADD look at the table needs.
    static func compile(_ rule: SecurityRule, context: RuleContext, expressions: Bool = true) -> [NATLayout.RuleSpec] {
        let inbound = rule.direction == .inbound
        let chain = inbound ? inboundChain : outboundChain
        let comment = SecurityRuleComment.make(rule)
        var compiled: [NATLayout.RuleSpec] = []
        for source in addressAlternatives(rule.sources, context: context) {
            for destination in addressAlternatives(rule.destinations, context: context) {
                for transport in transportAlternatives(rule) {
                    let expr = expressions ? expression(rule, source: source, destination: destination, transport: transport) : []
                    compiled.append(NATLayout.RuleSpec(chain: chain, comment: comment, expr: expr))
                }
            }
        }
        return compiled
    }

    private static func expression(_ rule: SecurityRule, source: AddressAlternative, destination: AddressAlternative,
                                   transport: TransportAlternative) -> [JSONValue] {
        let inbound = rule.direction == .inbound
        var expr: [JSONValue] = []
        if !rule.pods.isEmpty { expr.append(match("==", ip(inbound ? "daddr" : "saddr"), .string("@\(setName(of: rule))"))) }
        for (alternative, field) in [(source, "saddr"), (destination, "daddr")] {
            switch alternative {
            case .any: break
            case .within(let prefixes): expr.append(match("==", ip(field), prefixSet(prefixes)))
            case .outside(let prefixes): expr.append(match("!=", ip(field), prefixSet(prefixes)))
            }
        }
        switch transport {
        case .any: break
        case .protocolOnly(let name):
            expr.append(match("==", NftJSON.object(["meta": NftJSON.object(["key": .string("l4proto")])]), .string(name)))
        case .ports(let name):
            expr += portMatches(rule, transport: name)
        }
        let verdict: JSONValue = switch (rule.access, inbound) {
        case (.deny, _): NftJSON.object(["drop": .null])
        case (.allow, true): NftJSON.object(["accept": .null])
        case (.allow, false): NftJSON.object(["return": .null])
        }
        return expr + [NftJSON.object(["counter": .null]), verdict]
    }

    /// The alternatives for one side: one for the listed prefixes and one per negated tag, or just `any`.
    static func addressAlternatives(_ matches: [AddressMatch], context: RuleContext) -> [AddressAlternative] {
        var positive: [IPv4Prefix] = []
        var alternatives: [AddressAlternative] = []
        for addresses in matches.map({ $0.resolve(context) }) {
            if addresses.negated {
                // Outside no prefix at all is everything.
                alternatives.append(addresses.prefixes.isEmpty ? .any : .outside(addresses.prefixes))
            } else {
                positive += addresses.prefixes
            }
        }
        if positive.contains(where: { $0.length == 0 }) || alternatives.contains(.any) { return [.any] }
        if !positive.isEmpty { alternatives.insert(.within(positive), at: 0) }
        return alternatives
    }

    /// One alternative, or one per transport when a `*` rule has ports (the port fields are the transport's
    /// own, which nft lists as such).
    static func transportAlternatives(_ rule: SecurityRule) -> [TransportAlternative] {
        let hasPorts = !(rule.destinationPorts.allSatisfy(\.isAny) && rule.sourcePorts.allSatisfy(\.isAny))
        switch rule.transport {
        case .icmp: return [.protocolOnly("icmp")]
        case .any: return hasPorts ? [.ports("tcp"), .ports("udp")] : [.any]
        case .tcp, .udp: return [hasPorts ? .ports(rule.transport.rawValue) : .protocolOnly(rule.transport.rawValue)]
        }
    }

    private static func portMatches(_ rule: SecurityRule, transport: String) -> [JSONValue] {
        var matches: [JSONValue] = []
        for (field, ranges) in [("sport", rule.sourcePorts), ("dport", rule.destinationPorts)] where !ranges.contains(where: \.isAny) {
            let left = NftJSON.object(["payload": NftJSON.object(["protocol": .string(transport), "field": .string(field)])])
            matches.append(match("==", left, portSet(ranges)))
        }
        return matches
    }

    /// Ports as nft lists them: sorted, overlapping and adjacent ranges merged, one element bare.
    private static func portSet(_ ranges: [PortRange]) -> JSONValue {
        var merged: [ClosedRange<Int>] = []
        for range in ranges.map({ Int($0.lower)...Int($0.upper) }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        let elements: [JSONValue] = merged.map { range in
            range.lowerBound == range.upperBound ? NftJSON.number(range.lowerBound)
                : NftJSON.object(["range": .array([NftJSON.number(range.lowerBound), NftJSON.number(range.upperBound)])])
        }
        return elements.count == 1 ? elements[0] : NftJSON.object(["set": .array(elements)])
    }

    private static func prefixSet(_ prefixes: [IPv4Prefix]) -> JSONValue {
        let elements = Set(prefixes.map(\.canonical)).sorted { ($0.address, $0.length) < ($1.address, $1.length) }.map { prefix in
            NftJSON.object(["prefix": NftJSON.object(["addr": .string("\(prefix.address)"), "len": NftJSON.number(prefix.length)])])
        }
        return NftJSON.object(["set": .array(elements)])
    }

    private static func ip(_ field: String) -> JSONValue {
        NftJSON.object(["payload": NftJSON.object(["protocol": .string("ip"), "field": .string(field)])])
    }

    private static func match(_ op: String, _ left: JSONValue, _ right: JSONValue) -> JSONValue {
        NftJSON.object(["match": NftJSON.object(["op": .string(op), "left": left, "right": right])])
    }
}
