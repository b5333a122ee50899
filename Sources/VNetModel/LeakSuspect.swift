/// A piece of evidence that an address or link is leaked.
public enum LeakEvidence: String, Codable, Hashable, Sendable, CaseIterable {
    case netnsGone = "netns-gone"
    /// The namespace path cannot be read as a network namespace from here and the kernel does not vouch for
    /// the pod either: shown, never acted on without --force.
    case netnsUnconfirmed = "netns-unconfirmed"
    case noVeth = "no-veth"
    case leaseWithoutEndpoint = "lease-without-endpoint"
    case endpointWithoutLease = "endpoint-without-lease"
    case vethWithoutEndpoint = "veth-without-endpoint"
    case flaggedBySource = "flagged-by-source"
    case stuckAttaching = "stuck-attaching"
    case quarantinedByRepair = "quarantined-by-repair"

    public var explanation: String {
        switch self {
        case .netnsGone: return "the pod's network namespace no longer exists (its path and its veth are gone)"
        case .netnsUnconfirmed: return "unconfirmed: " + NamespaceStatus.unconfirmedCause
        case .noVeth: return "the host veth is missing"
        case .leaseWithoutEndpoint: return "an address is leased but no endpoint is recorded"
        case .endpointWithoutLease: return "an endpoint is recorded but holds no lease"
        case .vethWithoutEndpoint: return "a vnet veth is on the bridge but no endpoint owns it"
        case .flaggedBySource: return "the pool source no longer lists this address"
        case .stuckAttaching: return "an ADD started but never finished"
        case .quarantinedByRepair: return "a state repair could not tell whether a pod still uses this address"
        }
    }
}

/// A suspected leak: what is held, and why we think nobody uses it.
public struct LeakSuspect: Codable, Hashable, Sendable {
    public var key: AttachmentKey?
    public var address: IPv4Address?
    public var hostVeth: String?
    public var netns: String?
    public var evidence: [LeakEvidence]

    public init(key: AttachmentKey?, address: IPv4Address?, hostVeth: String?, netns: String?, evidence: [LeakEvidence]) {
        self.key = key
        self.address = address
        self.hostVeth = hostVeth
        self.netns = netns
        self.evidence = evidence
    }

    /// Whether the evidence is too weak to act on without `--force`.
    public var isUnconfirmed: Bool { evidence.contains(.netnsUnconfirmed) }
}
