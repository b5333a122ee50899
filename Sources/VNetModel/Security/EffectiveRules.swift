/// The rules one pod is subject to, in evaluation order: per direction, the operator's rules that apply to
/// it and then the defaults, by priority. `vnetctl rules effective`, `rules verify` and the kernel's chains
/// are all made from this one list, so what verify answers is what the kernel does.
public struct EffectiveRules: Hashable, Sendable {
    public var inbound: [SecurityRule]
    public var outbound: [SecurityRule]

    /// `includingEveryPodsRules` keeps the rules whose globs miss `identity` too: the order of all rules.
    public init(rules: [SecurityRule], pod identity: String?, includingEveryPodsRules: Bool = false) {
        let mine = includingEveryPodsRules ? rules : rules.filter { $0.applies(to: identity) }
        inbound = (mine.filter { $0.direction == .inbound } + DefaultRules.inbound).sorted { $0.priority < $1.priority }
        outbound = (mine.filter { $0.direction == .outbound } + DefaultRules.outbound).sorted { $0.priority < $1.priority }
    }

    public func rules(_ direction: SecurityRule.Direction) -> [SecurityRule] {
        direction == .inbound ? inbound : outbound
    }

    /// The rule that decides `flow`: the first in evaluation order that matches it. The defaults end with
    /// a rule matching everything, so there always is one.
    public func decide(_ flow: Flow, context: RuleContext) -> SecurityRule? {
        rules(flow.direction).first { $0.matches(flow, context: context) }
    }
}

/// A new connection as a rule sees it: which way, which protocol, the pod's and the remote's address and,
/// for TCP and UDP, the ports.
public struct Flow: Hashable, Sendable {
    public var direction: SecurityRule.Direction
    public var transport: SecurityRule.TransportProtocol
    public var pod: IPv4Address
    public var remote: IPv4Address
    /// The port the connection is made to: the pod's for inbound, the remote's for outbound.
    public var port: UInt16?
    /// The port it is made from; nil when unknown (an ephemeral port), which only `*` source ranges match.
    public var sourcePort: UInt16?

    public init(direction: SecurityRule.Direction, transport: SecurityRule.TransportProtocol, pod: IPv4Address, remote: IPv4Address,
                port: UInt16? = nil, sourcePort: UInt16? = nil) {
        self.direction = direction
        self.transport = transport
        self.pod = pod
        self.remote = remote
        self.port = port
        self.sourcePort = sourcePort
    }

    public var source: IPv4Address { direction == .inbound ? remote : pod }
    public var destination: IPv4Address { direction == .inbound ? pod : remote }
}

extension SecurityRule {
    /// Whether this rule matches `flow` (its direction, protocol, addresses and ports).
    public func matches(_ flow: Flow, context: RuleContext) -> Bool {
        guard flow.direction == direction else { return false }
        guard transport == .any || transport == flow.transport else { return false }
        guard sources.contains(where: { $0.resolve(context).contains(flow.source) }),
              destinations.contains(where: { $0.resolve(context).contains(flow.destination) }) else { return false }
        // Ports narrow a rule to TCP and UDP (also a `*` rule): an ICMP flow has none to match.
        guard !(destinationPorts.allSatisfy(\.isAny) && sourcePorts.allSatisfy(\.isAny)) else { return true }
        guard flow.transport.hasPorts else { return false }
        let destinationOK = destinationPorts.contains { $0.isAny || flow.port.map($0.contains) == true }
        let sourceOK = sourcePorts.contains { $0.isAny || flow.sourcePort.map($0.contains) == true }
        return destinationOK && sourceOK
    }
}
