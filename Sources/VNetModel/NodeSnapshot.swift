#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Who holds the state lock, as recorded by the holder.
public struct LockHolder: Codable, Hashable, Sendable {
    public var pid: Int32
    public var verb: String
    public var since: Date

    public init(pid: Int32, verb: String, since: Date) {
        self.pid = pid
        self.verb = verb
        self.since = since
    }
}

/// A pod as operators see it: the state entry joined with its kernel link and NAT counters.
public struct EndpointView: Codable, Hashable, Sendable {
    public var key: AttachmentKey
    public var pod: PodIdentity
    public var address: IPv4Address
    public var hostVeth: String
    public var netns: String
    public var phase: Endpoint.Phase
    /// nil when the host veth is missing from the kernel.
    public var link: Link?
    public var nat: PodNATCounter?
    /// The pod namespace judged from its path and the kernel together (`NamespaceStatus.judge`).
    public var namespace: NamespaceStatus
    public var createdAt: Date
    /// The public address translated to and from the pod, if it has one.
    public var publicIP: IPv4Address?
    /// The host ports forwarded to the pod.
    public var portMappings: [PortMapping]

    public init(key: AttachmentKey, pod: PodIdentity, address: IPv4Address, hostVeth: String, netns: String,
                phase: Endpoint.Phase, link: Link?, nat: PodNATCounter?, namespace: NamespaceStatus, createdAt: Date,
                publicIP: IPv4Address? = nil, portMappings: [PortMapping] = []) {
        self.key = key
        self.pod = pod
        self.address = address
        self.hostVeth = hostVeth
        self.netns = netns
        self.phase = phase
        self.link = link
        self.nat = nat
        self.namespace = namespace
        self.createdAt = createdAt
        self.publicIP = publicIP
        self.portMappings = portMappings
    }

    /// Scripts read `netnsAlive` (true unless the namespace is gone or unconfirmed) beside `namespace`.
    public var netnsAlive: Bool { namespace == .alive }

    private enum CodingKeys: String, CodingKey {
        case key, pod, address, hostVeth, netns, phase, link, nat, namespace, netnsAlive, createdAt, publicIP, portMappings
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        key = try values.decode(AttachmentKey.self, forKey: .key)
        pod = try values.decode(PodIdentity.self, forKey: .pod)
        address = try values.decode(IPv4Address.self, forKey: .address)
        hostVeth = try values.decode(String.self, forKey: .hostVeth)
        netns = try values.decode(String.self, forKey: .netns)
        phase = try values.decode(Endpoint.Phase.self, forKey: .phase)
        link = try values.decodeIfPresent(Link.self, forKey: .link)
        nat = try values.decodeIfPresent(PodNATCounter.self, forKey: .nat)
        namespace = try values.decode(NamespaceStatus.self, forKey: .namespace)
        createdAt = try values.decode(Date.self, forKey: .createdAt)
        publicIP = try values.decodeIfPresent(IPv4Address.self, forKey: .publicIP)
        portMappings = try values.decodeIfPresent([PortMapping].self, forKey: .portMappings) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var values = encoder.container(keyedBy: CodingKeys.self)
        try values.encode(key, forKey: .key)
        try values.encode(pod, forKey: .pod)
        try values.encode(address, forKey: .address)
        try values.encode(hostVeth, forKey: .hostVeth)
        try values.encode(netns, forKey: .netns)
        try values.encode(phase, forKey: .phase)
        try values.encodeIfPresent(link, forKey: .link)
        try values.encodeIfPresent(nat, forKey: .nat)
        try values.encode(namespace, forKey: .namespace)
        try values.encode(netnsAlive, forKey: .netnsAlive)
        try values.encode(createdAt, forKey: .createdAt)
        try values.encodeIfPresent(publicIP, forKey: .publicIP)
        if !portMappings.isEmpty { try values.encode(portMappings, forKey: .portMappings) }
    }
}

/// Where the pool came from and how fresh it is.
public struct PoolSourceInfo: Codable, Hashable, Sendable {
    public var kind: String
    public var fetchedAt: Date?
    /// True when a metadata source could not be reached and the cache answered.
    public var servedFromCache: Bool
    public var error: String?

    public init(kind: String, fetchedAt: Date?, servedFromCache: Bool, error: String? = nil) {
        self.kind = kind
        self.fetchedAt = fetchedAt
        self.servedFromCache = servedFromCache
        self.error = error
    }
}

/// An alert worth an operator's attention.
public struct Alert: Codable, Hashable, Sendable {
    public enum Severity: String, Codable, Sendable, Comparable {
        case info, warning, critical
        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs.rank < rhs.rank
        }
        var rank: Int {
            switch self {
            case .info: return 0
            case .warning: return 1
            case .critical: return 2
            }
        }
    }

    public var severity: Severity
    public var message: String

    public init(severity: Severity, message: String) {
        self.severity = severity
        self.message = message
    }
}

/// Everything the console and vnetctl show, taken at one instant. Screens are pure functions of it.
public struct NodeSnapshot: Codable, Hashable, Sendable {
    public var takenAt: Date
    public var node: String
    public var network: String
    public var bridge: String
    public var bridgeLink: Link?
    public var primaryAddress: IPv4Address?
    public var source: PoolSourceInfo
    public var usage: PoolUsage
    public var subnet: IPv4Prefix?
    public var gateway: IPv4Address?
    public var endpoints: [EndpointView]
    /// Leases taken by vnet-ipam alone (no vnet endpoint), e.g. under the reference bridge plugin.
    public var plainLeases: [Lease]
    public var links: [Link]
    public var nat: NATSnapshot
    public var leaks: [LeakSuspect]
    public var lockHolder: LockHolder?
    public var alerts: [Alert]
    public var stateGeneration: UInt64
    /// The claimed blocks when the pool source is `vnet`; nil for other sources.
    public var blockPool: BlockPoolView?

    public init(takenAt: Date, node: String, network: String, bridge: String, bridgeLink: Link?,
                primaryAddress: IPv4Address?, source: PoolSourceInfo, usage: PoolUsage, subnet: IPv4Prefix?,
                gateway: IPv4Address?, endpoints: [EndpointView], plainLeases: [Lease], links: [Link],
                nat: NATSnapshot, leaks: [LeakSuspect], lockHolder: LockHolder?, alerts: [Alert],
                stateGeneration: UInt64, blockPool: BlockPoolView? = nil) {
        self.takenAt = takenAt
        self.node = node
        self.network = network
        self.bridge = bridge
        self.bridgeLink = bridgeLink
        self.primaryAddress = primaryAddress
        self.source = source
        self.usage = usage
        self.subnet = subnet
        self.gateway = gateway
        self.endpoints = endpoints
        self.plainLeases = plainLeases
        self.links = links
        self.nat = nat
        self.leaks = leaks
        self.lockHolder = lockHolder
        self.alerts = alerts
        self.stateGeneration = stateGeneration
        self.blockPool = blockPool
    }
}
