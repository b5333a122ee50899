/// Where a VNet lives in the registry (etcd v3): every key under `/vnet/v1/<vnet>/`. One place spells the
/// layout, so vnetd, vnetctl, the console and docs/vnet.md cannot disagree.
///
///     limit                 {"maxPods": N}: the VNet's pod limit, written once by the first node
///     quota                 {"reserved": N}: the sum of every node's reservation; every quota change
///                           compares its revision, so the sum is exact at every etcd revision
///     reservations/<node>   {"reserved": N}: what the node may allocate
///     nodes/<node>          NodeRecord: what the node publishes (used, pools, leaks, agent version)
///     alive/<node>          attached to the node agent's etcd lease: gone when its heartbeat stops
///     pressure              {"node": N, "need": K}: a node waits for room the VNet did not have; attached
///                           to that node's lease; every agent answers it by giving back unused headroom
///     subnets               {"<network>": "<cidr>"}: the subnet each `vnet`-pool network claims blocks of;
///                           one key, so two overlapping subnets cannot both be recorded
///     primaries/<node>      "a.b.c.d": the node's primary address, never handed to a pod of any block
///     blocks/<a.b.c.d_len>  AddressBlock: a block's owner and usable addresses, or its cooldown
public struct RegistryKeys: Sendable, Hashable {
    public let vnet: String

    public init(vnet: String) { self.vnet = vnet }

    /// Registry names become key parts: the CNI container-ID alphabet, so no name can reach into another's
    /// keys ("a/../b", "a/").
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 128 else { return false }
        func allowed(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7a) || byte == 0x2d || byte == 0x2e || byte == 0x5f
        }
        return first != UInt8(ascii: ".") && first != UInt8(ascii: "-") && name.utf8.allSatisfy(allowed)
    }

    public var root: String { "/vnet/v1/\(vnet)/" }
    public var limit: String { root + "limit" }
    public var quota: String { root + "quota" }
    public var reservations: String { root + "reservations/" }
    public var nodes: String { root + "nodes/" }
    public var alive: String { root + "alive/" }
    public var pressure: String { root + "pressure" }
    public var subnets: String { root + "subnets" }
    public var blocks: String { root + "blocks/" }
    public var primaries: String { root + "primaries/" }

    public func primary(_ node: String) -> String { primaries + node }

    /// A block's key: the prefix with "_" for "/" (a key part holds no slash).
    public func block(_ prefix: IPv4Prefix) -> String { blocks + "\(prefix.network)_\(prefix.length)" }

    public func reservation(_ node: String) -> String { reservations + node }
    public func node(_ node: String) -> String { nodes + node }
    public func alive(_ node: String) -> String { alive + node }

    /// The node a key under `prefix` names, or nil.
    public static func name(in key: String, under prefix: String) -> String? {
        guard key.hasPrefix(prefix) else { return nil }
        let name = String(key.dropFirst(prefix.count))
        return isValidName(name) ? name : nil
    }
}
