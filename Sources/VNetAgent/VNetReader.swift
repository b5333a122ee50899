#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetRegistry

/// Reads a whole VNet from the registry at one revision: what `vnetctl vnet status` prints and the console's
/// VNet screen draws.
public struct VNetReader: Sendable {
    public let client: EtcdClient
    public let keys: RegistryKeys

    public init(client: EtcdClient, vnet: String) {
        self.client = client
        keys = RegistryKeys(vnet: vnet)
    }

    /// The VNet now, with each member's health. Throws when no member answers.
    public func status(now: Date = Date()) async throws(RegistryError) -> VNetStatus {
        let range = try await client.range(keys.root, prefix: true)
        let members = await health()
        return Self.status(range, keys: keys, members: members, now: now)
    }

    /// Each endpoint, whether it answered and whether it leads.
    public func health() async -> [RegistryHealth.Member] {
        let answered = await client.statuses()
        return client.endpoints.map { endpoint in
            let status = answered.first { $0.endpoint == endpoint }
            return RegistryHealth.Member(endpoint: endpoint, reachable: status != nil, isLeader: status?.isLeader ?? false)
        }
    }

    static func status(_ range: RangeResult, keys: RegistryKeys, members: [RegistryHealth.Member], now: Date) -> VNetStatus {
        let quota = QuotaView(range, keys: keys).state
        var records: [String: NodeRecord] = [:]
        var alive = Set<String>()
        var pressure: String?
        var blocks: [AddressBlock] = []
        for kv in range.kvs {
            if let name = RegistryKeys.name(in: kv.key, under: keys.nodes) {
                records[name] = (try? JSONParser.parse(kv.value)).flatMap { NodeRecord(json: $0) }
            } else if let name = RegistryKeys.name(in: kv.key, under: keys.alive) {
                alive.insert(name)
            } else if kv.key.hasPrefix(keys.blocks) {
                if let block = (try? JSONParser.parse(kv.value)).flatMap({ AddressBlock(json: $0) }) { blocks.append(block) }
            } else if kv.key == keys.pressure {
                pressure = (try? JSONParser.parse(kv.value))?["node"]?.stringValue
            }
        }
        let names = Set(records.keys).union(quota.byNode.keys).union(alive).sorted()
        let nodes = names.map { name in
            VNetNodeStatus(name: name, reserved: quota.byNode[name] ?? 0, record: records[name], alive: alive.contains(name),
                           heartbeatAge: records[name].map { max(0, now.timeIntervalSince($0.updatedAt)) })
        }
        var status = VNetStatus(vnet: keys.vnet, limit: quota.limit, reserved: quota.reserved, nodes: nodes,
                                conflicts: VNetConflict.find(in: names.compactMap { records[$0] }), pressureFrom: pressure,
                                revision: range.revision, registry: RegistryHealth(members: members, lastError: nil), readAt: now)
        status.blocks = blocks.sorted { $0.prefix.network < $1.prefix.network }
        for index in status.nodes.indices {
            status.nodes[index].blocks = status.blocks(of: status.nodes[index].name)
        }
        return status
    }
}
