#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why an address cannot be handed out.
public enum AllocationError: Error, Hashable, Sendable, CustomStringConvertible {
    case nodeLimitReached(limit: Int)
    case poolExhausted(capacity: Int, used: Int, coolingDown: Int)
    case requestedOutsidePool(IPv4Address)
    case requestedInUse(IPv4Address, by: AttachmentKey)
    case requestedCoolingDown(IPv4Address, secondsLeft: Int)
    case requestedQuarantined(IPv4Address)

    public var description: String {
        switch self {
        case .nodeLimitReached(let limit):
            return "node limit reached: maxPodsPerNode is \(limit) and \(limit) pods already hold addresses"
        case .poolExhausted(let capacity, let used, let cooling):
            return "no addresses available: pool has \(capacity) addresses, \(used) in use, \(cooling) cooling down"
        case .requestedOutsidePool(let address):
            return "requested address \(address) is not in the pool"
        case .requestedInUse(let address, let key):
            return "requested address \(address) is already leased to \(key)"
        case .requestedQuarantined(let address):
            return "requested address \(address) is quarantined since a state repair; reclaim it once no pod uses it"
        case .requestedCoolingDown(let address, let left):
            return "requested address \(address) was released recently and cools down for \(left) more seconds"
        }
    }
}

/// Chooses addresses. Pure: the caller loads the state under the lock, asks, and commits the result.
public struct Allocator: Sendable {
    public var pool: Pool
    public var limits: Limits
    /// How long a released address rests before reuse, so late packets and stale ARP entries meant for
    /// the old pod never reach a new one.
    public var cooldown: TimeInterval

    public init(pool: Pool, limits: Limits, cooldown: TimeInterval) {
        self.pool = pool
        self.limits = limits
        self.cooldown = cooldown
    }

    /// The address for `key`: the one it already holds (ADD retried), the requested one, or the address
    /// free the longest (never used first, then released longest ago and past its cool-down).
    public func choose(for key: AttachmentKey, in state: NetworkState, requested: IPv4Address? = nil,
                       now: Date) throws(AllocationError) -> IPv4Address {
        try choose(in: state.attachment(key), requested: requested, now: now)
    }

    /// `choose(for:in:requested:now:)` for the attachment of `attachment`, from what it holds of the rest.
    public func choose(in attachment: AttachmentState, requested: IPv4Address? = nil, now: Date) throws(AllocationError) -> IPv4Address {
        if let existing = attachment.lease { return existing.address }
        guard attachment.leaseCount < limits.maxPodsPerNode else { throw .nodeLimitReached(limit: limits.maxPodsPerNode) }

        // Sorted, and walked beside the sorted pool below: no hashing per lease or per pool address, which
        // grew with the pods on the node on every ADD.
        let used = attachment.leasedAddresses.sorted()
        let quarantined = Set(attachment.quarantined)
        var releasedAt: [IPv4Address: Date] = [:]
        for entry in attachment.released { releasedAt[entry.address] = entry.releasedAt }

        if let requested {
            guard pool.contains(requested) else { throw .requestedOutsidePool(requested) }
            if let holder = attachment.holder(of: requested) { throw .requestedInUse(requested, by: holder) }
            if quarantined.contains(requested) { throw .requestedQuarantined(requested) }
            if let at = releasedAt[requested], now.timeIntervalSince(at) < cooldown {
                throw .requestedCoolingDown(requested, secondsLeft: Int((cooldown - now.timeIntervalSince(at)).rounded(.up)))
            }
            return requested
        }

        var best: (address: IPv4Address, at: Date)?
        var cooling = 0
        var nextUsed = 0
        for address in pool.addresses {
            while nextUsed < used.count && used[nextUsed] < address { nextUsed += 1 }
            if nextUsed < used.count && used[nextUsed] == address { continue }
            if quarantined.contains(address) { continue }
            guard let at = releasedAt[address] else { return address }
            if now.timeIntervalSince(at) < cooldown {
                cooling += 1
            } else if best.map({ at < $0.at }) ?? true {
                best = (address, at)
            }
        }
        if let best { return best.address }
        throw .poolExhausted(capacity: pool.capacity, used: used.count, coolingDown: cooling)
    }

    /// Pool occupancy at `now`, for STATUS, vnetctl and the console.
    public func usage(of state: NetworkState, now: Date) -> PoolUsage {
        var used = 0
        var inPool = Set<IPv4Address>()
        for lease in state.leases where pool.contains(lease.address) {
            used += 1
            inPool.insert(lease.address)
        }
        let cooling = state.released.filter {
            pool.contains($0.address) && !inPool.contains($0.address) && now.timeIntervalSince($0.releasedAt) < cooldown
        }.count
        let held = state.quarantined.filter { pool.contains($0) && !inPool.contains($0) }.count
        let flagged = state.flagged.count + state.leases.count - used + held
        return PoolUsage(capacity: pool.capacity, used: state.leases.count, coolingDown: cooling,
                         free: max(0, pool.capacity - used - cooling - held), flagged: flagged, limits: limits)
    }
}

/// How full the pool is, against the limits.
public struct PoolUsage: Codable, Hashable, Sendable {
    public var capacity: Int
    public var used: Int
    public var coolingDown: Int
    public var free: Int
    public var flagged: Int
    public var limits: Limits

    public init(capacity: Int, used: Int, coolingDown: Int, free: Int, flagged: Int, limits: Limits) {
        self.capacity = capacity
        self.used = used
        self.coolingDown = coolingDown
        self.free = free
        self.flagged = flagged
        self.limits = limits
    }

    /// Addresses that can be handed out now, bounded by the node limit too.
    public var assignableNow: Int { max(0, min(free, limits.maxPodsPerNode - used)) }
}
