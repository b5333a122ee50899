import VNetModel

/// Answers the Security screen's verify form: would the pod's rules allow this new connection, and which rule
/// decides it. The front end implements it with `Node.verify` (what `vnetctl rules verify` runs), so the
/// console answers from the same compiled policy the kernel runs. It only reads: no confirmation, and
/// `--readonly` allows it.
public protocol RuleVerifier {
    func verify(_ question: RuleQuestion) throws -> RuleAnswer
}

/// The flow the operator asks about, as the form parsed it.
public struct RuleQuestion: Hashable, Sendable {
    /// namespace/name, a pod name or a container ID (prefix), as `vnetctl rules verify --pod` takes it.
    public var pod: String
    public var direction: SecurityRule.Direction
    public var transport: SecurityRule.TransportProtocol
    public var remote: IPv4Address
    /// The port connected to (the pod's for inbound, the remote's for outbound); nil for ICMP.
    public var port: UInt16?

    public init(pod: String, direction: SecurityRule.Direction, transport: SecurityRule.TransportProtocol, remote: IPv4Address,
                port: UInt16?) {
        self.pod = pod
        self.direction = direction
        self.transport = transport
        self.remote = remote
        self.port = port
    }
}

/// The decision: the pod the question named, the flow as the rules saw it, and the deciding rule (its access
/// is the answer).
public struct RuleAnswer: Hashable, Sendable {
    public var pod: PodIdentity
    public var flow: Flow
    public var rule: SecurityRule

    public init(pod: PodIdentity, flow: Flow, rule: SecurityRule) {
        self.pod = pod
        self.flow = flow
        self.rule = rule
    }

    /// "DENY: inbound tcp 10.240.0.12 -> 10.240.0.11:22 decided by DenyAllInBound (priority 65500)", the line
    /// `vnetctl rules verify` prints.
    public var line: String {
        "\(rule.access.rawValue.uppercased()): \(flow.direction.rawValue) \(flow.transport.rawValue) \(flow.source) -> "
            + "\(flow.destination)\(flow.port.map { ":\($0)" } ?? "") decided by \(rule.name) (priority \(rule.priority))"
    }
}
