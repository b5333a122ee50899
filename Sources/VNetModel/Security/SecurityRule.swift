/// One security rule with Azure NSG semantics: within a direction the rule with the lowest priority number
/// that matches a flow decides it; replies of an allowed flow always pass (the rules are stateful).
public struct SecurityRule: Hashable, Sendable {
    public enum Direction: String, CaseIterable, Hashable, Sendable {
        /// Traffic to the pod.
        case inbound
        /// Traffic from the pod.
        case outbound
    }

    public enum Access: String, Hashable, Sendable { case allow, deny }

    public enum TransportProtocol: String, CaseIterable, Hashable, Sendable {
        case tcp, udp, icmp
        /// Any protocol (`*`).
        case any = "*"

        /// Whether the protocol has ports: a rule's port ranges apply only to TCP and UDP.
        public var hasPorts: Bool { self == .tcp || self == .udp }
    }

    public var name: String
    /// 100-4096 for the operator's rules; the default rules use 65000-65500.
    public var priority: Int
    public var direction: Direction
    public var access: Access
    public var transport: TransportProtocol
    public var sources: [AddressMatch]
    public var sourcePorts: [PortRange]
    public var destinations: [AddressMatch]
    public var destinationPorts: [PortRange]
    /// The pods the rule applies to (`namespace/name` globs); empty means every pod.
    public var pods: [PodGlob]

    public init(name: String, priority: Int, direction: Direction, access: Access, transport: TransportProtocol,
                sources: [AddressMatch] = [.any], sourcePorts: [PortRange] = [.any], destinations: [AddressMatch] = [.any],
                destinationPorts: [PortRange] = [.any], pods: [PodGlob] = []) {
        self.name = name
        self.priority = priority
        self.direction = direction
        self.access = access
        self.transport = transport
        self.sources = sources
        self.sourcePorts = sourcePorts
        self.destinations = destinations
        self.destinationPorts = destinationPorts
        self.pods = pods
    }

    /// The priorities an operator's rule may have.
    public static let priorities = 100...4096

    /// Whether the rule applies to the pod `identity` ("namespace/name"; nil when the runtime did not say,
    /// which only rules for every pod match).
    public func applies(to identity: String?) -> Bool {
        guard !pods.isEmpty else { return true }
        guard let identity else { return false }
        return pods.contains { $0.matches(identity) }
    }
}
