#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetRegistry
import VNetSystem

/// The VNet's pod quota in the registry (docs/vnet.md): the limit, each node's reservation and their sum.
///
/// Every change is one etcd transaction that compares the revisions it read of the sum (`quota`) and of the
/// node's reservation, and writes both: two nodes growing at once cannot both succeed on the same view,
/// so at every revision the reservations add up to the recorded sum and the sum stays within the limit. A
/// transaction that lost the race reads again and retries, a bounded number of times.
public struct QuotaRegistry: Sendable {
    public let client: EtcdClient
    public let keys: RegistryKeys
    /// How many times a change is tried against a registry others keep changing.
    public var attempts = 64

    public init(client: EtcdClient, vnet: String) {
        self.client = client
        keys = RegistryKeys(vnet: vnet)
    }

    /// The quota as it stood at one revision (the newest without `revision`), with that revision. Only the
    /// quota's keys are read (the limit, the sum, the reservations): node records carry address lists, and
    /// 64 of them are ~400 KB a grow must not fetch.
    public func read(revision: Int64? = nil) async throws(RegistryError) -> (quota: QuotaState, revision: Int64, view: QuotaView) {
        let quota: RangeResult
        if let revision {
            quota = try await client.range(keys.root, prefix: true, revision: revision)
        } else {
            let result = try await client.txn([], success: [.range(keys.limit), .range(keys.quota), .range(keys.reservations, prefix: true)])
            quota = RangeResult(revision: result.revision, kvs: result.ranges.flatMap(\.kvs))
        }
        let view = QuotaView(quota, keys: keys)
        return (view.state, quota.revision, view)
    }

    /// Records `limit` as the VNet's when it has none yet; returns the limit in force (the first node's).
    @discardableResult
    public func ensureLimit(_ limit: Int) async throws(RegistryError) -> Int {
        let result = try await client.txn([.version(keys.limit, equals: 0)],
                                          success: [.put(keys.limit, Self.encode(["maxPods": limit]))],
                                          failure: [.range(keys.limit)])
        if result.succeeded { return limit }
        return result.ranges.first?.kvs.first.flatMap { Self.decode($0.value, "maxPods") } ?? limit
    }

    /// Sets `node`'s reservation to what the VNet can grant of `wanted` (all of it, when it gives back);
    /// returns the reservation now in force.
    public func reserve(node: String, wanted: Int) async throws(RegistryError) -> Int {
        for _ in 0..<attempts {
            let (quota, _, view) = try await read()
            let current = quota.byNode[node] ?? 0
            let granted = quota.grant(node: node, wanted: wanted)
            if granted == current { return current }
            let result = try await client.txn(
                [.modRevision(keys.quota, equals: view.quotaRevision), .modRevision(keys.reservation(node), equals: view.revisions[node] ?? 0)],
                success: [.put(keys.quota, Self.encode(["reserved": quota.reserved + granted - current])),
                          .put(keys.reservation(node), Self.encode(["reserved": granted]))])
            if result.succeeded { return granted }
        }
        throw .refused(endpoint: client.endpoints.joined(separator: ","), status: 409,
                       message: "the quota kept changing under \(attempts) attempts to reserve for \(node)")
    }

    /// Removes `node`'s reservation and record (a node that is gone: forget-node); its share returns to the
    /// VNet. Refused (nil) when the node's heartbeat is back or its reservation changed since
    /// `reservationRevision` was read: the plan an operator confirmed no longer describes it.
    ///
    /// The node's address blocks go with it, each cooling down for `cooldown` seconds before another node
    /// may claim it (its pods may still hold the addresses, cut off).
    public func release(node: String, reservationRevision: Int64, cooldown: Double = 0) async throws(RegistryError) -> Int? {
        let blocks = BlockRegistry(client: client, vnet: keys.vnet)
        for _ in 0..<attempts {
            let (quota, _, view) = try await read()
            guard (view.revisions[node] ?? 0) == reservationRevision else { return nil }
            let current = quota.byNode[node] ?? 0
            let owned = try await blocks.owned(by: node)
            try? FaultPoint.hit("forget:before-txn")
            let now = Date()
            let result = try await client.txn(
                [.modRevision(keys.quota, equals: view.quotaRevision), .modRevision(keys.reservation(node), equals: reservationRevision),
                 .version(keys.alive(node), equals: 0)] + owned.map { .modRevision(keys.block($0.block.prefix), equals: $0.revision) },
                success: [.put(keys.quota, Self.encode(["reserved": quota.reserved - current])), .delete(keys.reservation(node)),
                          .delete(keys.node(node)), .delete(keys.primary(node))]
                    + owned.map { BlockRegistry.cooling($0.block, keys: keys, cooldown: cooldown, now: now) })
            if result.succeeded {
                try? FaultPoint.hit("forget:after-txn")
                return current
            }
            if !(try await client.range(keys.alive(node)).kvs.isEmpty) { return nil }
        }
        throw .refused(endpoint: client.endpoints.joined(separator: ","), status: 409,
                       message: "the quota kept changing under \(attempts) attempts to release \(node)")
    }

    static func encode(_ object: [String: Int]) -> [UInt8] {
        JSONWriter.bytes(.object(object.mapValues { .number(Double($0)) }))
    }

    static func decode(_ bytes: [UInt8], _ field: String) -> Int? {
        (try? JSONParser.parse(bytes))?[field]?.intValue
    }
}

/// The quota keys of one read, with the revisions a transaction compares.
public struct QuotaView: Sendable {
    public var state: QuotaState
    /// The sum's last write (0: never written).
    public var quotaRevision: Int64
    /// Each node's reservation's last write.
    public var revisions: [String: Int64]

    init(_ range: RangeResult, keys: RegistryKeys) {
        var limit = 0, reserved = 0, quotaRevision: Int64 = 0
        var byNode: [String: Int] = [:], revisions: [String: Int64] = [:]
        for kv in range.kvs {
            if kv.key == keys.limit {
                limit = QuotaRegistry.decode(kv.value, "maxPods") ?? 0
            } else if kv.key == keys.quota {
                reserved = QuotaRegistry.decode(kv.value, "reserved") ?? 0
                quotaRevision = kv.modRevision
            } else if let node = RegistryKeys.name(in: kv.key, under: keys.reservations) {
                byNode[node] = QuotaRegistry.decode(kv.value, "reserved") ?? 0
                revisions[node] = kv.modRevision
            }
        }
        state = QuotaState(limit: limit, reserved: reserved, byNode: byNode)
        self.quotaRevision = quotaRevision
        self.revisions = revisions
    }
}
