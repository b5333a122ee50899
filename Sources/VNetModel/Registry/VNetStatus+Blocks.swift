#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One row of `vnetctl vnet blocks`: a block with how much of it its owner uses.
public struct VNetBlockRow: Sendable, Hashable {
    public var block: AddressBlock
    /// Addresses of the block the owner's last record says it leases.
    public var used: Int
    /// The owner's heartbeat is alive.
    public var ownerAlive: Bool

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "block": .string(block.prefix.description), "node": .string(block.node), "state": .string(block.state.rawValue),
            "used": .number(Double(used)), "addresses": .number(Double(block.addresses.reduce(0) { $0 + Int($1.count) })),
            "claimedAt": .string(ISO8601.format(block.claimedAt)), "ownerAlive": .bool(ownerAlive),
        ]
        object["until"] = block.until.map { .string(ISO8601.format($0)) } ?? .null
        return .object(object)
    }
}

/// What a fabric or a router needs: a claimed block and the primary address of the node that owns it.
public struct VNetRoute: Sendable, Hashable {
    public var prefix: IPv4Prefix
    /// The owner's primary address; nil when its record does not say (the route cannot be programmed).
    public var via: IPv4Address?
    public var node: String

    public var json: JSONValue {
        .object(["prefix": .string(prefix.description), "via": via.map { .string($0.description) } ?? .null, "node": .string(node)])
    }
}

extension VNetStatus {
    /// Every block with its owner's use, in address order.
    public var blockRows: [VNetBlockRow] {
        let byName = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return blocks.map { block in
            let owner = byName[block.node]
            let used = block.state == .claimed ? (owner?.record?.leased.filter { block.prefix.contains($0) }.count ?? 0) : 0
            return VNetBlockRow(block: block, used: used, ownerAlive: owner?.alive ?? false)
        }
    }

    /// The route of every claimed block: the registry is the source of truth for which node owns which block.
    public var routes: [VNetRoute] {
        let byName = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return blocks.filter { $0.state == .claimed }.map {
            VNetRoute(prefix: $0.prefix, via: byName[$0.node]?.record?.primaryAddress, node: $0.node)
        }
    }

    /// The blocks `node` owns.
    public func blocks(of node: String) -> [AddressBlock] {
        blocks.filter { $0.state == .claimed && $0.node == node }
    }
}
