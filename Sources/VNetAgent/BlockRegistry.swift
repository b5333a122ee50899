#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetRegistry
import VNetSystem

/// The VNet's address blocks in the registry (docs/vnet.md): claims, give-backs and the subnets of the
/// networks that claim them.
///
/// A claim and a give-back are each one transaction over three keys: the block (compared at the revision
/// read, 0 for a block never claimed), the VNet's sum and the node's reservation (as `QuotaRegistry` does).
/// So a block has at most one owner at every revision, and its usable addresses are counted against the
/// VNet's limit from the revision it is owned.
public struct BlockRegistry: Sendable {
    public let client: EtcdClient
    public let keys: RegistryKeys
    let quota: QuotaRegistry
    public var attempts = 64

    public init(client: EtcdClient, vnet: String) {
        self.client = client
        keys = RegistryKeys(vnet: vnet)
        quota = QuotaRegistry(client: client, vnet: vnet)
    }

    /// A block with the revision of its key, which a transaction on it compares.
    public struct Held: Sendable, Hashable {
        public var block: AddressBlock
        public var revision: Int64
    }

    /// Every block record of the VNet.
    public func all() async throws(RegistryError) -> [Held] {
        try await client.range(keys.blocks, prefix: true).kvs.compactMap(Self.held)
    }

    /// The blocks `node` owns (of `subnet` only, when given: a network serves only its own subnet's blocks).
    public func owned(by node: String, in subnet: IPv4Prefix? = nil) async throws(RegistryError) -> [Held] {
        try await all().filter { held in
            held.block.state == .claimed && held.block.node == node && (subnet?.contains(held.block.prefix) ?? true)
        }
    }

    static func held(_ kv: KeyValue) -> Held? {
        guard let value = try? JSONParser.parse(kv.value), let block = AddressBlock(json: value) else { return nil }
        return Held(block: block, revision: kv.modRevision)
    }

    /// Records `subnet` as `network`'s; nil when recorded (or already so), else why not: another network of
    /// the VNet has a subnet that overlaps it.
    public func register(network: String, subnet: IPv4Prefix) async throws(RegistryError) -> String? {
        for _ in 0..<attempts {
            let current = try await client.range(keys.subnets)
            let kv = current.kvs.first
            var subnets: [String: JSONValue] = [:]
            if let kv, let object = (try? JSONParser.parse(kv.value))?.objectValue { subnets = object }
            for (other, value) in subnets.sorted(by: { $0.key < $1.key }) where other != network {
                if let text = value.stringValue, let theirs = IPv4Prefix(text), theirs.overlaps(subnet) {
                    return "pool.subnet \(subnet) of network \(network) overlaps network \(other)'s \(theirs) in VNet \(keys.vnet): "
                        + "two networks of one VNet cannot hand out the same addresses (nothing was claimed)"
                }
            }
            if subnets[network]?.stringValue == subnet.description { return nil }
            subnets[network] = .string(subnet.description)
            let result = try await client.txn([.modRevision(keys.subnets, equals: kv?.modRevision ?? 0)],
                                              success: [.put(keys.subnets, JSONWriter.bytes(.object(subnets)))])
            if result.succeeded { return nil }
        }
        throw .refused(endpoint: client.endpoints.joined(separator: ","), status: 409, message: "the subnets kept changing under \(attempts) attempts")
    }

    /// Claims up to `count` free blocks of `carver`'s subnet for `node` in one transaction, with as many
    /// addresses as the VNet has left (the last one may be partial); none when the VNet or the subnet has
    /// nothing left.
    ///
    /// Every claim in the VNet compares the one quota key, so nodes claiming at once conflict whatever
    /// blocks they chose. A lost transaction does not read every block again: its failure branch returns
    /// the quota and the chosen blocks as they are now, and only those are learned before the next try,
    /// after a short random pause so the losers do not collide again in step.
    public func claim(node: String, carver: BlockCarver, count: Int = 1, start: Int = 0,
                      now: Date = Date()) async throws(RegistryError) -> [Held] {
        let records = try await all()
        var taken = records.filter { $0.block.isTaken(at: now) }.map(\.block.prefix)
        var revisions = Dictionary(records.map { ($0.block.prefix, $0.revision) }, uniquingKeysWith: { first, _ in first })
        var (state, _, view) = try await quota.read()
        for attempt in 0..<attempts {
            let current = state.byNode[node] ?? 0
            var budget = state.limit > 0 ? state.limit - state.reserved : Int.max
            var chosen: [AddressBlock] = []
            var skip = taken
            while chosen.count < count, budget > 0, let (prefix, addresses) = carver.nextFree(taken: skip, limit: budget, start: start) {
                let block = AddressBlock(prefix: prefix, state: .claimed, node: node, addresses: addresses, claimedAt: now)
                chosen.append(block)
                skip.append(prefix)
                budget -= block.usable
            }
            guard !chosen.isEmpty else { return [] }
            let added = chosen.reduce(0) { $0 + $1.usable }
            try? FaultPoint.hit("claim:before-txn")
            let result = try await client.txn(
                [.modRevision(keys.quota, equals: view.quotaRevision), .modRevision(keys.reservation(node), equals: view.revisions[node] ?? 0)]
                    + chosen.map { .modRevision(keys.block($0.prefix), equals: revisions[$0.prefix] ?? 0) },
                success: [.put(keys.quota, QuotaRegistry.encode(["reserved": state.reserved + added])),
                          .put(keys.reservation(node), QuotaRegistry.encode(["reserved": current + added]))]
                    + chosen.map { .put(keys.block($0.prefix), JSONWriter.bytes($0.json)) },
                failure: [.range(keys.limit), .range(keys.quota), .range(keys.reservation(node))] + chosen.map { .range(keys.block($0.prefix)) })
            if result.succeeded {
                try? FaultPoint.hit("claim:after-txn")
                return chosen.map { Held(block: $0, revision: result.revision) }
            }
            // Learn what changed: the quota, this node's reservation, and who holds the chosen blocks now.
            let seen = RangeResult(revision: result.revision, kvs: result.ranges.flatMap(\.kvs))
            let fresh = QuotaView(seen, keys: keys)
            state = fresh.state
            view = fresh
            for block in chosen {
                guard let kv = seen.value(of: keys.block(block.prefix)) else { continue }
                revisions[block.prefix] = kv.modRevision
                if let held = Self.held(kv), held.block.isTaken(at: now) { taken.append(block.prefix) }
            }
            try? await Task.sleep(nanoseconds: UInt64.random(in: 0...UInt64(min(attempt + 1, 8)) * 5_000_000))
        }
        throw .refused(endpoint: client.endpoints.joined(separator: ","), status: 409,
                       message: "the blocks kept changing under \(attempts) attempts to claim for \(node)")
    }

    /// Gives `held` back: it cools down for `cooldown` seconds (no cooldown: the key goes) and its addresses
    /// leave the node's reservation. false when the block is no longer as read (someone else changed it).
    public func release(_ held: Held, cooldown: Double, now: Date = Date()) async throws(RegistryError) -> Bool {
        let node = held.block.node
        for _ in 0..<attempts {
            let (state, _, view) = try await quota.read()
            let current = state.byNode[node] ?? 0
            var write: [TxnOp] = [.put(keys.quota, QuotaRegistry.encode(["reserved": max(0, state.reserved - held.block.usable)])),
                                  .put(keys.reservation(node), QuotaRegistry.encode(["reserved": max(0, current - held.block.usable)]))]
            write.append(Self.cooling(held.block, keys: keys, cooldown: cooldown, now: now))
            let result = try await client.txn(
                [.modRevision(keys.block(held.block.prefix), equals: held.revision), .modRevision(keys.quota, equals: view.quotaRevision),
                 .modRevision(keys.reservation(node), equals: view.revisions[node] ?? 0)],
                success: write)
            if result.succeeded { return true }
            let seen = try await client.range(keys.block(held.block.prefix)).kvs.first
            if seen?.modRevision != held.revision { return false }
        }
        throw .refused(endpoint: client.endpoints.joined(separator: ","), status: 409,
                       message: "the quota kept changing under \(attempts) attempts to give back \(held.block.prefix)")
    }

    /// The write that turns `block` into a cooling one (or removes it when there is no cooldown).
    static func cooling(_ block: AddressBlock, keys: RegistryKeys, cooldown: Double, now: Date) -> TxnOp {
        guard cooldown > 0 else { return .delete(keys.block(block.prefix)) }
        var cooled = block
        cooled.state = .cooling
        cooled.until = now.addingTimeInterval(cooldown)
        return .put(keys.block(block.prefix), JSONWriter.bytes(cooled.json))
    }
}
