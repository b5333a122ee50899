import VNetModel
import VNetState

/// A pod's rules with what the kernel counted for each: `vnetctl rules effective` and the console.
public struct EffectiveRulesView: Sendable {
    public var pod: PodIdentity
    public var address: IPv4Address
    public var rules: EffectiveRules
    /// Packets and bytes per rule, summed over the kernel rules compiled from it (keyed by
    /// `RuleCounterKey`); zero for a rule the table does not hold yet.
    public var counters: [RuleCounterKey: TrafficCounter]
    /// The packets of new connections that reached this pod's inbound and outbound rules.
    public var podInbound: TrafficCounter
    public var podOutbound: TrafficCounter
}

/// What `rules verify` answers.
public struct RuleVerdict: Sendable {
    public var pod: PodIdentity
    public var flow: Flow
    /// The deciding rule; its access is the answer.
    public var rule: SecurityRule
}

extension Node {
    /// The network's security rules as this node enforces them, or nil when it has none. The tags resolve
    /// with the node's addresses and the pool's subnet, taken from a recorded pod (or the pool).
    public func securityConfig() throws -> NATConfig? {
        guard config.securityRules != nil else { return nil }
        guard let endpoint = try store.load().endpoints.first else {
            throw OperationError(.notFound, "no pod on this node yet: the first ADD builds the rules")
        }
        return try natConfig(subnet: endpoint.address.canonical, gateway: endpoint.gateway)
    }

    /// Counters of every rule, by rule: one security rule may be several kernel rules.
    public func ruleCounters() throws -> [RuleCounterKey: TrafficCounter] {
        TrafficCounter.byRule(try nat.snapshot().securityRules)
    }

    /// One pod's effective rules with their counters.
    public func effectiveRules(for reference: EndpointReference) throws -> EffectiveRulesView {
        guard let nat = try securityConfig(), let policy = nat.security else {
            throw OperationError(.notFound, "network \(config.network) has no \"securityRules\": no pod's traffic is filtered")
        }
        let endpoint = try resolve(reference)
        let snapshot = try self.nat.snapshot()
        func counter(_ list: [PodNATCounter]) -> TrafficCounter {
            list.first { $0.address == endpoint.address.address }.map { TrafficCounter(packets: $0.packets, bytes: $0.bytes) } ?? TrafficCounter()
        }
        return EffectiveRulesView(pod: endpoint.pod, address: endpoint.address.address, rules: policy.effective(for: endpoint.pod),
                                  counters: try ruleCounters(), podInbound: counter(snapshot.filteredInbound),
                                  podOutbound: counter(snapshot.filteredOutbound))
    }

    /// The recorded endpoint `reference` names (namespace/name, name, or container ID prefix).
    func resolve(_ reference: EndpointReference) throws -> Endpoint {
        do {
            return try reference.resolve(in: try store.load().endpoints)
        } catch let error as EndpointReference.LookupError {
            throw OperationError(.notFound, "\(error)")
        }
    }

    /// The decision the pod's rules give a new connection, and the rule that gives it: computed from the
    /// same policy the kernel's chains are compiled from.
    public func verify(reference: EndpointReference, direction: SecurityRule.Direction, transport: SecurityRule.TransportProtocol,
                       remote: IPv4Address, port: UInt16?, sourcePort: UInt16?) throws -> RuleVerdict {
        guard let nat = try securityConfig(), let policy = nat.security else {
            throw OperationError(.notFound, "network \(config.network) has no \"securityRules\": every flow is allowed")
        }
        let endpoint = try resolve(reference)
        let flow = Flow(direction: direction, transport: transport, pod: endpoint.address.address, remote: remote, port: port,
                        sourcePort: sourcePort)
        guard let rule = policy.decide(flow, pod: endpoint.pod) else {
            throw OperationError(.refused, "no rule decides \(flow): the default rules are missing")
        }
        return RuleVerdict(pod: endpoint.pod, flow: flow, rule: rule)
    }

    /// Rebuilds the rules for every pod from the configuration in one nftables transaction, and records
    /// that configuration (what the next ADD and vnetctl read). Audited.
    public func applyRules(configuration bytes: [UInt8]?, by caller: Caller) throws -> String {
        guard let nat = try securityConfig() else {
            throw OperationError(.notFound, "network \(config.network) has no \"securityRules\"; nothing to apply")
        }
        try self.nat.rebuild(nat, pods: recordedPods())
        if let bytes { recordConfiguration(bytes) }
        let line = "applied \(nat.security?.rules.count ?? 0) rules (digest \(nat.security?.digest ?? "-")) to \(recordedPods().count) pods"
        audit(caller, command: "rules apply", before: "", after: line)
        return line
    }
}

