/// One pod as vnet's nftables table holds it: the address that goes into the pod sets, and what else the
/// pod brings to the table (which security rules select it, a public IP, host ports).
///
/// Made from the pod's recorded endpoint, so a rebuilt table holds every pod exactly as its ADD put it.
public struct NATPod: Hashable, Sendable {
    public var address: IPv4Address
    /// K8S_POD_NAMESPACE / K8S_POD_NAME: the security rules' `pods` globs match on it.
    public var pod: PodIdentity
    /// The public address translated 1:1 to and from the pod, if it has one.
    public var publicIP: IPv4Address?
    /// The host ports forwarded to the pod (the `portMappings` capability).
    public var portMappings: [PortMapping]

    public init(address: IPv4Address, pod: PodIdentity = PodIdentity(), publicIP: IPv4Address? = nil,
                portMappings: [PortMapping] = []) {
        self.address = address
        self.pod = pod
        self.publicIP = publicIP
        self.portMappings = portMappings
    }

    public init(_ endpoint: Endpoint) {
        self.init(address: endpoint.address.address, pod: endpoint.pod, publicIP: endpoint.publicIP,
                  portMappings: endpoint.portMappings)
    }
}
