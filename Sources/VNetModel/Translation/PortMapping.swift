/// A host port forwarded to a pod, as a runtime asks for it through the `portMappings` capability:
/// traffic to `hostIP` (any of the node's addresses when nil) on `hostPort` reaches the pod on
/// `containerPort`.
public struct PortMapping: Codable, Hashable, Sendable {
    public enum Transport: String, Codable, Hashable, Sendable, CaseIterable {
        case tcp, udp
    }

    public var hostPort: UInt16
    public var containerPort: UInt16
    public var transport: Transport
    public var hostIP: IPv4Address?

    public init(hostPort: UInt16, containerPort: UInt16, transport: Transport = .tcp, hostIP: IPv4Address? = nil) {
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.transport = transport
        self.hostIP = hostIP
    }
}
