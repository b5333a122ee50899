#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Counters of one link, as the kernel's 64-bit link statistics report them.
public struct LinkCounters: Codable, Hashable, Sendable {
    public var rxBytes: UInt64
    public var txBytes: UInt64
    public var rxPackets: UInt64
    public var txPackets: UInt64
    public var rxDropped: UInt64
    public var txDropped: UInt64
    public var rxErrors: UInt64
    public var txErrors: UInt64

    public init(rxBytes: UInt64 = 0, txBytes: UInt64 = 0, rxPackets: UInt64 = 0, txPackets: UInt64 = 0,
                rxDropped: UInt64 = 0, txDropped: UInt64 = 0, rxErrors: UInt64 = 0, txErrors: UInt64 = 0) {
        self.rxBytes = rxBytes
        self.txBytes = txBytes
        self.rxPackets = rxPackets
        self.txPackets = txPackets
        self.rxDropped = rxDropped
        self.txDropped = txDropped
        self.rxErrors = rxErrors
        self.txErrors = txErrors
    }
}

/// A network link as seen on the node (bridge, veth host end, uplink).
public struct LinkInfo: Codable, Hashable, Sendable {
    public var index: Int32
    public var name: String
    /// The kernel's link kind ("bridge", "veth", ...) or "" for a physical device.
    public var kind: String
    public var master: String?
    /// The kernel's operational state: "up", "down", "lowerlayerdown", "unknown", ...
    public var operState: String
    public var adminUp: Bool
    public var mtu: Int
    public var mac: String
    public var counters: LinkCounters

    public init(index: Int32, name: String, kind: String, master: String?, operState: String, adminUp: Bool,
                mtu: Int, mac: String, counters: LinkCounters) {
        self.index = index
        self.name = name
        self.kind = kind
        self.master = master
        self.operState = operState
        self.adminUp = adminUp
        self.mtu = mtu
        self.mac = mac
        self.counters = counters
    }
}

/// One rule of vnet's nftables table with its counter.
public struct NATRuleCounter: Codable, Hashable, Sendable {
    public var chain: String
    public var handle: Int
    /// What the rule does, in words ("masquerade pod traffic leaving the VNet to 10.240.0.4").
    public var comment: String
    public var packets: UInt64
    public var bytes: UInt64

    public init(chain: String, handle: Int, comment: String, packets: UInt64, bytes: UInt64) {
        self.chain = chain
        self.handle = handle
        self.comment = comment
        self.packets = packets
        self.bytes = bytes
    }
}

/// SNAT counters of one pod address.
public struct PodNATCounter: Codable, Hashable, Sendable {
    public var address: IPv4Address
    public var packets: UInt64
    public var bytes: UInt64

    public init(address: IPv4Address, packets: UInt64, bytes: UInt64) {
        self.address = address
        self.packets = packets
        self.bytes = bytes
    }
}

/// vnet's NAT state on the node.
public struct NATSnapshot: Codable, Hashable, Sendable {
    public var present: Bool
    public var snatAddress: IPv4Address?
    public var rules: [NATRuleCounter]
    public var perPod: [PodNATCounter]

    public init(present: Bool, snatAddress: IPv4Address?, rules: [NATRuleCounter], perPod: [PodNATCounter]) {
        self.present = present
        self.snatAddress = snatAddress
        self.rules = rules
        self.perPod = perPod
    }

    public static let absent = NATSnapshot(present: false, snatAddress: nil, rules: [], perPod: [])
}

/// A piece of evidence that an address or link is leaked.
public enum LeakEvidence: String, Codable, Hashable, Sendable, CaseIterable {
    case netnsGone = "netns-gone"
    case noVeth = "no-veth"
    case leaseWithoutEndpoint = "lease-without-endpoint"
    case endpointWithoutLease = "endpoint-without-lease"
    case vethWithoutEndpoint = "veth-without-endpoint"
    case flaggedBySource = "flagged-by-source"
    case stuckAttaching = "stuck-attaching"

    public var explanation: String {
        switch self {
        case .netnsGone: return "the pod's network namespace no longer exists"
        case .noVeth: return "the host veth is missing"
        case .leaseWithoutEndpoint: return "an address is leased but no endpoint is recorded"
        case .endpointWithoutLease: return "an endpoint is recorded but holds no lease"
        case .vethWithoutEndpoint: return "a vnet veth is on the bridge but no endpoint owns it"
        case .flaggedBySource: return "the pool source no longer lists this address"
        case .stuckAttaching: return "an ADD started but never finished"
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
}

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
    public var link: LinkInfo?
    public var nat: PodNATCounter?
    public var netnsAlive: Bool
    public var createdAt: Date

    public init(key: AttachmentKey, pod: PodIdentity, address: IPv4Address, hostVeth: String, netns: String,
                phase: Endpoint.Phase, link: LinkInfo?, nat: PodNATCounter?, netnsAlive: Bool, createdAt: Date) {
        self.key = key
        self.pod = pod
        self.address = address
        self.hostVeth = hostVeth
        self.netns = netns
        self.phase = phase
        self.link = link
        self.nat = nat
        self.netnsAlive = netnsAlive
        self.createdAt = createdAt
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
    public var bridgeLink: LinkInfo?
    public var primaryAddress: IPv4Address?
    public var source: PoolSourceInfo
    public var usage: PoolUsage
    public var subnet: IPv4Prefix?
    public var gateway: IPv4Address?
    public var endpoints: [EndpointView]
    /// Leases taken by vnet-ipam alone (no vnet endpoint), e.g. under the reference bridge plugin.
    public var plainLeases: [Lease]
    public var links: [LinkInfo]
    public var nat: NATSnapshot
    public var leaks: [LeakSuspect]
    public var lockHolder: LockHolder?
    public var alerts: [Alert]
    public var stateGeneration: UInt64

    public init(takenAt: Date, node: String, network: String, bridge: String, bridgeLink: LinkInfo?,
                primaryAddress: IPv4Address?, source: PoolSourceInfo, usage: PoolUsage, subnet: IPv4Prefix?,
                gateway: IPv4Address?, endpoints: [EndpointView], plainLeases: [Lease], links: [LinkInfo],
                nat: NATSnapshot, leaks: [LeakSuspect], lockHolder: LockHolder?, alerts: [Alert],
                stateGeneration: UInt64) {
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
    }
}
