import VNetModel

/// What a path probe needs from inside the pod's network namespace: a ping, a DNS query and the pod's
/// neighbour entry for an address. The real one (`PodNamespaceProbe`) opens its sockets in the pod's
/// namespace; tests give a fake, so the hop logic and the verdict are tested without namespaces.
///
/// Every call returns within its `timeout` (plus the few microseconds a socket call takes): the probe's
/// bound is made of these.
public protocol PodPathProbe {
    /// One ICMP echo to `address` from the pod.
    func ping(_ address: IPv4Address, timeout: Double) -> ProbeAnswer
    /// One DNS question to `server` port 53 from the pod; any answer passes.
    func queryDNS(server: IPv4Address, question: DNSQuestion, timeout: Double) -> ProbeAnswer
    /// The pod's neighbour entry for `address` on any interface; nil when it has none.
    func neighbour(_ address: IPv4Address) -> NeighbourEntry?
}

/// What `Node.probe` is asked: the pod and the settings that override the network's `probe` key.
public struct ProbeRequest: Sendable, Hashable {
    public var reference: EndpointReference
    public var vnetAddress: IPv4Address?
    public var internetAddress: IPv4Address?
    public var timeoutSeconds: Double?

    public init(reference: EndpointReference, vnetAddress: IPv4Address? = nil, internetAddress: IPv4Address? = nil,
                timeoutSeconds: Double? = nil) {
        self.reference = reference
        self.vnetAddress = vnetAddress
        self.internetAddress = internetAddress
        self.timeoutSeconds = timeoutSeconds
    }

    /// The network's settings with this request's overrides on top.
    public func settings(over configured: ProbeSettings) -> ProbeSettings {
        var settings = configured
        if let vnetAddress { settings.vnetAddress = vnetAddress }
        if let internetAddress { settings.internetAddress = internetAddress }
        if let timeoutSeconds { settings.timeoutSeconds = timeoutSeconds }
        return settings
    }
}
