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

    public init(key: AttachmentKey, netns: String, pod: PodIdentity = PodIdentity(), requested: IPv4Address? = nil,
                owner: String = "vnet") {
        self.key = key
        self.netns = netns
        self.pod = pod
        self.requested = requested
        self.owner = owner
    }

    /// Where `ip netns add NAME` puts named namespaces.
    public static let namedNamespaceDirectory = "/var/run/netns"

    /// A namespace given as a path, or as a name under /var/run/netns, as a path.
    public static func namespacePath(_ nameOrPath: String) -> String {
        nameOrPath.contains("/") ? nameOrPath : namedNamespaceDirectory + "/" + nameOrPath
    }
}
