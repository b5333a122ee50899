#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One attachment's part of a network's state, with what a call for that attachment needs of the rest: what
/// a CNI ADD, DEL or CHECK reads and changes (the state store's `load(for:)` and `update(verb:lockTimeout:for:_:)`).
///
/// It holds the attachment's lease and endpoint whole, the network's released, quarantined and flagged
/// addresses whole, and of every other lease its key and address; of the other endpoints it holds nothing.
/// Every value in it is one the document holds: what it leaves out, it does not have, so a call made with it
/// can change this attachment's records and those lists and nothing else.
///
/// Why: every CNI call is a new process and reads the state. Reading every record of a 250-pod document
/// whole was most of what an ADD executed and what grew with the pods on the node; a call for one
/// attachment needs no more of the others than which addresses they hold, and whose (docs/state.md).
public struct AttachmentState: Hashable, Sendable {
    public let network: String
    /// The document's generation when it was read.
    public let generation: UInt64
    public let key: AttachmentKey
    /// This attachment's lease.
    public var lease: Lease?
    /// This attachment's endpoint (the first, should a document edited by hand hold two).
    public var endpoint: Endpoint?
    /// The other leases' keys and addresses, in the document's order.
    public let others: [LeasedAddress]
    public var released: [ReleasedAddress]
    public var quarantined: [IPv4Address]
    public var flagged: [IPv4Address]
    /// The other attachments' endpoints that hold a public IP or host ports, whole: what an ADD asking for
    /// one checks its own against, under the lock. Read only; a commit never writes them from here.
    public let translated: [Endpoint]

    public init(network: String, generation: UInt64, key: AttachmentKey, lease: Lease?, endpoint: Endpoint?, others: [LeasedAddress],
                released: [ReleasedAddress], quarantined: [IPv4Address], flagged: [IPv4Address], translated: [Endpoint] = []) {
        self.translated = translated
        self.network = network
        self.generation = generation
        self.key = key
        self.lease = lease
        self.endpoint = endpoint
        self.others = others
        self.released = released
        self.quarantined = quarantined
        self.flagged = flagged
    }

    /// How many leases the network holds, this attachment's included.
    public var leaseCount: Int { others.count + (lease == nil ? 0 : 1) }

    /// Every leased address, this attachment's included (in no particular order).
    public var leasedAddresses: [IPv4Address] {
        var addresses = others.map(\.address)
        if let lease { addresses.append(lease.address) }
        return addresses
    }

    /// The attachment that holds `address`, if any.
    public func holder(of address: IPv4Address) -> AttachmentKey? {
        if let lease, lease.address == address { return key }
        return others.first { $0.address == address }?.key
    }

    /// Removes this attachment's lease and starts its address's cool-down, as `NetworkState.release` does.
    /// Returns the removed lease.
    @discardableResult
    public mutating func release(at now: Date) -> Lease? {
        guard let lease else { return nil }
        self.lease = nil
        released.removeAll { $0.address == lease.address }
        released.append(ReleasedAddress(address: lease.address, releasedAt: now))
        flagged.removeAll { $0 == lease.address }
        return lease
    }
}

/// Another attachment's lease as `AttachmentState` holds it: whose it is and which address it holds.
public struct LeasedAddress: Hashable, Sendable {
    public var key: AttachmentKey
    public var address: IPv4Address

    public init(key: AttachmentKey, address: IPv4Address) {
        self.key = key
        self.address = address
    }
}

extension NetworkState {
    /// The part of this state that a call for `key` reads and changes.
    public func attachment(_ key: AttachmentKey) -> AttachmentState {
        var others: [LeasedAddress] = []
        others.reserveCapacity(leases.count)
        var lease: Lease?
        for candidate in leases {
            if lease == nil && candidate.key == key { lease = candidate } else { others.append(LeasedAddress(key: candidate.key, address: candidate.address)) }
        }
        let translated = endpoints.filter { $0.key != key && ($0.publicIP != nil || !$0.portMappings.isEmpty) }
        return AttachmentState(network: network, generation: generation, key: key, lease: lease, endpoint: endpoint(for: key),
                               others: others, released: released, quarantined: quarantined, flagged: flagged, translated: translated)
    }

    /// Makes the changes of `attachment` (read from this state with `attachment(_:)`): its lease and endpoint
    /// replace the attachment's where they were, go at the end when it had none, or are removed; the lists
    /// of released, quarantined and flagged addresses become its lists. The records of other attachments
    /// stay as they are.
    public mutating func apply(_ attachment: AttachmentState) {
        let key = attachment.key
        if let index = leases.firstIndex(where: { $0.key == key }) {
            if let lease = attachment.lease { leases[index] = lease } else { leases.remove(at: index) }
        } else if let lease = attachment.lease {
            leases.append(lease)
        }
        if let index = endpoints.firstIndex(where: { $0.key == key }) {
            if let endpoint = attachment.endpoint { endpoints[index] = endpoint } else { endpoints.remove(at: index) }
        } else if let endpoint = attachment.endpoint {
            endpoints.append(endpoint)
        }
        released = attachment.released
        quarantined = attachment.quarantined
        flagged = attachment.flagged
    }
}
