/// A request to attach a pod: what a CNI ADD, `vnetctl attach` and the console's attach form all ask for.
/// The IPAM takes its address part, the network plugin all of it.
public struct AttachRequest: Codable, Hashable, Sendable {
    public var key: AttachmentKey
    /// The pod's network namespace file ("" when an IPAM-only caller was given none).
    public var netns: String
    public var pod: PodIdentity
    /// An address the caller asks for (CNI_ARGS IP=, `vnetctl attach --ip`), or nil for the pool's next.
    public var requested: IPv4Address?
    /// Who holds the lease: "vnet" (the network plugin) or "vnet-ipam" (the IPAM plugin under another one).
    public var owner: String
    /// The public IP the pod gets (`publicIPs`, CNI_ARGS VNET_PUBLIC_IP), if any.
    public var publicIP: IPv4Address?
    /// The host ports forwarded to the pod (`runtimeConfig.portMappings`).
    public var portMappings: [PortMapping]

    public init(key: AttachmentKey, netns: String, pod: PodIdentity = PodIdentity(), requested: IPv4Address? = nil,
                owner: String = "vnet", publicIP: IPv4Address? = nil, portMappings: [PortMapping] = []) {
        self.publicIP = publicIP
        self.portMappings = portMappings
        self.key = key
        self.netns = netns
        self.pod = pod
        self.requested = requested
        self.owner = owner
    }

    private enum CodingKeys: String, CodingKey { case key, netns, pod, requested, owner, publicIP, portMappings }

    /// Requests written before public IPs and host ports have neither key.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(key: try c.decode(AttachmentKey.self, forKey: .key), netns: try c.decode(String.self, forKey: .netns),
                  pod: try c.decode(PodIdentity.self, forKey: .pod), requested: try c.decodeIfPresent(IPv4Address.self, forKey: .requested),
                  owner: try c.decode(String.self, forKey: .owner), publicIP: try c.decodeIfPresent(IPv4Address.self, forKey: .publicIP),
                  portMappings: try c.decodeIfPresent([PortMapping].self, forKey: .portMappings) ?? [])
    }

    /// Where `ip netns add NAME` puts named namespaces.
    public static let namedNamespaceDirectory = "/var/run/netns"

    /// A namespace given as a path, or as a name under /var/run/netns, as a path.
    public static func namespacePath(_ nameOrPath: String) -> String {
        nameOrPath.contains("/") ? nameOrPath : namedNamespaceDirectory + "/" + nameOrPath
    }
}
