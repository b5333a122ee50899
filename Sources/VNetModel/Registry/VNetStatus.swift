#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The whole VNet as the registry holds it at one revision, read by vnetctl (`vnet status`) and drawn by the
/// console's VNet screen: the quota, every node with its share, the conflicts between nodes, and the
/// registry's own health. One value for both, so the console draws exactly what `--json` prints.
public struct VNetStatus: Sendable, Hashable {
    public var vnet: String
    /// The VNet's pod limit (`maxPodsPerVNet` of the first node that registered).
    public var limit: Int
    /// What all nodes reserve together (the `quota` key).
    public var reserved: Int
    public var nodes: [VNetNodeStatus]
    public var conflicts: [VNetConflict]
    /// The node that asked for room the VNet did not have (the pressure mark), if any.
    public var pressureFrom: String?
    /// The etcd revision the view was read at.
    public var revision: Int64
    public var registry: RegistryHealth
    /// When the view was read (the console marks a view STALE by its age).
    public var readAt: Date
    /// The address blocks of `vnet` pools, claimed and cooling, in address order.
    public var blocks: [AddressBlock] = []

    public init(vnet: String, limit: Int, reserved: Int, nodes: [VNetNodeStatus], conflicts: [VNetConflict],
                pressureFrom: String? = nil, revision: Int64, registry: RegistryHealth, readAt: Date) {
        self.vnet = vnet
        self.limit = limit
        self.reserved = reserved
        self.nodes = nodes
        self.conflicts = conflicts
        self.pressureFrom = pressureFrom
        self.revision = revision
        self.registry = registry
        self.readAt = readAt
    }

    /// Pods across every node.
    public var used: Int { nodes.reduce(0) { $0 + $1.used } }
    /// Pods the VNet can still take: headroom reserved but unused flows back under pressure, so it counts.
    public var free: Int { max(0, limit - used) }
    /// What no node holds yet.
    public var unreserved: Int { max(0, limit - reserved) }

    public func node(_ name: String) -> VNetNodeStatus? { nodes.first { $0.name == name } }
}

/// One node of a VNet: what it reserves, what it uses, and whether its agent still beats.
public struct VNetNodeStatus: Sendable, Hashable {
    public var name: String
    /// From the quota key of the node's reservation (0 when it has none).
    public var reserved: Int
    /// What the node published last; nil when it never published (a reservation without a record).
    public var record: NodeRecord?
    /// Whether the node's heartbeat key exists (attached to its agent's etcd lease).
    public var alive: Bool
    /// Seconds since the node last published, at `VNetStatus.readAt`.
    public var heartbeatAge: Double?
    /// The blocks of `vnet` pools the node owns (none for other pools).
    public var blocks: [AddressBlock] = []

    public init(name: String, reserved: Int, record: NodeRecord?, alive: Bool, heartbeatAge: Double?) {
        self.name = name
        self.reserved = reserved
        self.record = record
        self.alive = alive
        self.heartbeatAge = heartbeatAge
    }

    public var used: Int { record?.used ?? 0 }
    public var leaks: Int { record?.leaks ?? 0 }
    public var poolRanges: [String] { record?.poolRanges ?? [] }
    /// Addresses of its claimed blocks, and how many of them no pod holds (nil without blocks).
    public var claimed: Int { blocks.reduce(0) { $0 + $1.usable } }
    public var freeInBlocks: Int? { blocks.isEmpty ? nil : max(0, claimed - used) }
    /// A node whose heartbeat is gone: its reservation stays counted until `forget-node`.
    public var isLost: Bool { !alive }
}

/// Something two nodes of one VNet disagree on.
public struct VNetConflict: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Two nodes' pools share addresses: both may hand out the same one.
        case overlappingPools = "overlapping-pools"
        /// One address is leased on two nodes right now.
        case addressOnTwoNodes = "address-on-two-nodes"
    }

    public var kind: Kind
    public var nodes: [String]
    /// The shared range or address.
    public var subject: String

    public init(kind: Kind, nodes: [String], subject: String) {
        self.kind = kind
        self.nodes = nodes
        self.subject = subject
    }

    public var explanation: String {
        switch kind {
        case .overlappingPools: return "pools of \(nodes.joined(separator: " and ")) overlap in \(subject)"
        case .addressOnTwoNodes: return "\(subject) is leased on \(nodes.joined(separator: " and "))"
        }
    }

    /// The conflicts among `records`: every pair of overlapping pool ranges, and every address two nodes lease.
    public static func find(in records: [NodeRecord]) -> [VNetConflict] {
        var found: [VNetConflict] = []
        let ranges = records.map { record in (record.name, record.poolRanges.compactMap { AddressRange($0) }) }
        for i in ranges.indices {
            for j in ranges.indices where j > i {
                for a in ranges[i].1 {
                    for b in ranges[j].1 {
                        let low = max(a.first, b.first), high = min(a.last, b.last)
                        guard low <= high else { continue }
                        found.append(VNetConflict(kind: .overlappingPools, nodes: [ranges[i].0, ranges[j].0],
                                                  subject: low == high ? "\(low)" : "\(low)-\(high)"))
                    }
                }
            }
        }
        var holders: [IPv4Address: [String]] = [:]
        for record in records {
            for address in Set(record.leased) { holders[address, default: []].append(record.name) }
        }
        for (address, names) in holders.sorted(by: { $0.key < $1.key }) where names.count > 1 {
            found.append(VNetConflict(kind: .addressOnTwoNodes, nodes: names.sorted(), subject: "\(address)"))
        }
        return found
    }
}

/// The registry as the reader saw it: which members answered, which leads, and the last error.
public struct RegistryHealth: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public var endpoint: String
        public var reachable: Bool
        public var isLeader: Bool
        public init(endpoint: String, reachable: Bool, isLeader: Bool) {
            self.endpoint = endpoint
            self.reachable = reachable
            self.isLeader = isLeader
        }
    }

    public var members: [Member]
    /// The last call's failure; nil when it succeeded.
    public var lastError: String?

    public init(members: [Member], lastError: String?) {
        self.members = members
        self.lastError = lastError
    }

    public var reachable: Bool { members.contains { $0.reachable } && lastError == nil }
    public var leader: String? { members.first { $0.isLeader }?.endpoint }
}
