#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything vnet remembers about one network on one node: leases, cooling addresses and endpoints.
/// This is the document the state store commits atomically; it is plain data so it can be checked,
/// exported and repaired by hand.
public struct NetworkState: Codable, Hashable, Sendable {
    /// Bumped whenever the layout changes incompatibly; a newer file is refused, never guessed at.
    public static let currentSchema = 1

    public var schema: Int
    public var network: String
    /// Incremented on every commit; lets readers and the console tell that something changed.
    public var generation: UInt64
    public var leases: [Lease]
    public var released: [ReleasedAddress]
    public var endpoints: [Endpoint]
    /// Addresses the pool source no longer lists while a pod still holds them.
    public var flagged: [IPv4Address]
    /// Addresses a state repair could not account for (the lost commit may have leased them): never handed
    /// out until an operator reclaims them after checking that no pod uses them.
    public var quarantined: [IPv4Address]

    public init(network: String) {
        schema = Self.currentSchema
        self.network = network
        generation = 0
        leases = []
        released = []
        endpoints = []
        flagged = []
        quarantined = []
    }

    public func lease(for key: AttachmentKey) -> Lease? { leases.first { $0.key == key } }

    public func lease(holding address: IPv4Address) -> Lease? { leases.first { $0.address == address } }

    public func endpoint(for key: AttachmentKey) -> Endpoint? { endpoints.first { $0.key == key } }

    /// Removes the lease of `key` and starts its address's cool-down. Returns the removed lease.
    @discardableResult
    public mutating func release(_ key: AttachmentKey, at now: Date) -> Lease? {
        guard let index = leases.firstIndex(where: { $0.key == key }) else { return nil }
        let lease = leases.remove(at: index)
        released.removeAll { $0.address == lease.address }
        released.append(ReleasedAddress(address: lease.address, releasedAt: now))
        flagged.removeAll { $0 == lease.address }
        return lease
    }

    @discardableResult
    public mutating func removeEndpoint(_ key: AttachmentKey) -> Endpoint? {
        guard let index = endpoints.firstIndex(where: { $0.key == key }) else { return nil }
        return endpoints.remove(at: index)
    }

    public mutating func upsert(_ endpoint: Endpoint) {
        if let index = endpoints.firstIndex(where: { $0.key == endpoint.key }) {
            endpoints[index] = endpoint
        } else {
            endpoints.append(endpoint)
        }
    }

    /// Problems that make the document unsafe to allocate from (two leases on one address, one key twice).
    public func integrityProblems() -> [String] {
        var problems = Self.leaseProblems(count: leases.count, address: { leases[$0].address }, digest: { leases[$0].key.digest },
                                          key: { leases[$0].key })
        if schema != Self.currentSchema { problems.append("schema \(schema) is not \(Self.currentSchema)") }
        return problems
    }

    /// `integrityProblems` of `count` leases given by their index in the document's order (`digest` is their
    /// keys' `AttachmentKey.digest`): also for a document read for one attachment, whose other leases are
    /// keys and addresses (`AttachmentState`).
    public static func leaseProblems(count: Int, address: (Int) -> IPv4Address, digest: (Int) -> UInt64,
                                     key: (Int) -> AttachmentKey) -> [String] {
        var problems: [String] = []
        // Every CNI call checks this on load, so the common case (no problem) is kept to a sort of plain
        // integers: each lease's address beside its index, packed in one word. Only a document with a
        // problem pays for finding and wording it.
        // (Plain loops, not zip: each generic type a process uses first costs a metadata instantiation.)
        var byAddress = (0..<count).map { UInt64(address($0).value) << 32 | UInt64($0) }
        byAddress.sort()
        for index in byAddress.indices.dropFirst() where byAddress[index - 1] >> 32 == byAddress[index] >> 32 {
            let first = Int(byAddress[index - 1] & 0xFFFF_FFFF), second = Int(byAddress[index] & 0xFFFF_FFFF)
            problems.append("address \(address(second)) is leased to both \(key(first)) and \(key(second))")
        }
        // Keys likewise, by a digest of each: only equal digests need the exact (hashed, String) comparison.
        var byKey = (0..<count).map { digest($0) }
        byKey.sort()
        if byKey.indices.dropFirst().contains(where: { byKey[$0 - 1] == byKey[$0] }) {
            var keys = Set<AttachmentKey>(minimumCapacity: count)
            for index in 0..<count where !keys.insert(key(index)).inserted {
                problems.append("attachment \(key(index)) holds two leases")
            }
        }
        return problems
    }
}
