/// What a namespace path (`/var/run/netns/NAME`, `/proc/PID/ns/net`) holds, seen from the caller's mount
/// namespace.
///
/// Why three values and not "alive or not": a runtime binds a pod's namespace onto its path in *its* mount
/// namespace. A caller in another mount namespace (`ip netns exec`, an agent in a container without
/// host-to-container propagation) sees the same path as an empty file. That is "cannot tell from here",
/// never "gone".
public enum NamespacePath: String, Codable, Sendable, Hashable, CaseIterable {
    /// A network namespace file.
    case namespace
    /// No file at the path: whoever removed the namespace unlinked it (`ip netns delete`, a runtime's teardown).
    case missing
    /// A file, but no network namespace from here: most often a bind mount made in another mount namespace.
    case notNamespace = "not-a-namespace"
}

/// What the kernel's links say about a pod, whatever its namespace path shows.
public enum VethWitness: String, Codable, Sendable, Hashable {
    /// The pod's host veth exists and its peer lives in another namespace. A veth pair dies with its
    /// namespace, so that namespace is alive.
    case peerAlive = "peer-alive"
    /// The host veth is not there.
    case absent
    /// No host veth is known for the pod (a lease without an endpoint), or the link says nothing of its peer.
    case unknown

    /// The witness a node's links give for `hostVeth`.
    public static func of(_ hostVeth: String?, in links: [String: Link]) -> VethWitness {
        guard let hostVeth else { return .unknown }
        guard let link = links[hostVeth] else { return .absent }
        return link.hasPeerInOtherNamespace ? .peerAlive : .unknown
    }
}

/// A pod namespace's fate, judged from its path and from the kernel together. Only `gone` is evidence that a
/// pod no longer needs its address; `unconfirmed` is never acted on without `--force`.
public enum NamespaceStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case alive
    case gone
    case unconfirmed

    /// The kernel is the witness: a live peer outweighs a path that cannot be read from here, and a missing
    /// path is "gone" only when the pod's veth went with it (or no veth is known).
    public static func judge(path: NamespacePath, veth: VethWitness) -> NamespaceStatus {
        if path == .namespace || veth == .peerAlive { return .alive }
        return path == .missing ? .gone : .unconfirmed
    }

    /// Why a status other than `alive` or `gone` cannot be acted on, in words an operator can act on.
    public static let unconfirmedCause = "the path is there but is not a network namespace from this mount namespace: "
        + "/run/netns is likely not shared with it (run on the host, or mount /run/netns with host-to-container propagation)"
}
