/// Cuts a VNet subnet into aligned blocks and says which addresses of a block a pod may get: pure, so the
/// agent, vnetctl's plans and the tests agree on it.
///
/// A block's usable addresses leave out the subnet's network and broadcast addresses, its gateway, the
/// configured exclusions and every node's primary address (as on Azure, node and pod addresses share the
/// subnet).
public struct BlockCarver: Sendable, Hashable {
    public let subnet: IPv4Prefix
    public let gateway: IPv4Address
    public let blockLength: Int
    /// Sorted, merged ranges never handed out.
    public let excluded: [AddressRange]

    public init(subnet: IPv4Prefix, gateway: IPv4Address, blockLength: Int, exclude: [AddressRange], primaries: [IPv4Address]) {
        self.subnet = subnet.canonical
        self.gateway = gateway
        self.blockLength = max(blockLength, subnet.length)
        var singles = [gateway] + primaries
        if subnet.length < 31 { singles += [subnet.canonical.network, subnet.canonical.broadcast] }
        let all = (exclude + singles.map(AddressRange.init(single:))).sorted { $0.first < $1.first }
        var merged: [AddressRange] = []
        for range in all {
            if let last = merged.last, last.last.value == UInt32.max || range.first.value <= last.last.value + 1 {
                if range.last > last.last { merged[merged.count - 1].last = range.last }
            } else {
                merged.append(range)
            }
        }
        excluded = merged
    }

    /// How many blocks the subnet holds.
    public var blockCount: Int { 1 << (blockLength - subnet.length) }

    /// The block at `index` (0 ..< blockCount), in address order.
    public func block(_ index: Int) -> IPv4Prefix {
        IPv4Prefix(address: IPv4Address(subnet.network.value + UInt32(index) << UInt32(32 - blockLength)), length: blockLength)
    }

    /// The block `address` lies in, or nil outside the subnet.
    public func block(of address: IPv4Address) -> IPv4Prefix? {
        guard subnet.contains(address) else { return nil }
        return IPv4Prefix(address: address, length: blockLength).canonical
    }

    /// The addresses of `block` a pod may get, at most `limit` of them (the first ones), as ranges.
    public func usable(_ block: IPv4Prefix, limit: Int = .max) -> [AddressRange] {
        var result: [AddressRange] = []
        var left = limit
        var cursor = UInt64(block.network.value)
        let end = UInt64(block.broadcast.value)
        // Walk the exclusions that meet the block; the gaps between them are usable.
        for range in excluded where UInt64(range.last.value) >= cursor && UInt64(range.first.value) <= end {
            if UInt64(range.first.value) > cursor { take(cursor, UInt64(range.first.value) - 1) }
            cursor = UInt64(range.last.value) + 1
            if cursor > end || left == 0 { break }
        }
        if cursor <= end { take(cursor, end) }
        return result

        func take(_ first: UInt64, _ last: UInt64) {
            guard left > 0 else { return }
            let upper = min(last, first + UInt64(left) - 1)
            if let range = AddressRange(first: IPv4Address(UInt32(first)), last: IPv4Address(UInt32(upper))) {
                result.append(range)
                left -= Int(range.count)
            }
        }
    }

    /// The first block that overlaps nothing in `taken` and has a usable address, with at most `limit` of
    /// its addresses; nil when the subnet has none left. The search starts at block `start` and wraps around.
    ///
    /// Overlap, not equality: a node configured with another block size must not get a block inside one
    /// that is already held.
    public func nextFree(taken: [IPv4Prefix], limit: Int, start: Int = 0) -> (block: IPv4Prefix, addresses: [AddressRange])? {
        guard limit > 0 else { return nil }
        let spans = taken.map { ($0.network.value, $0.broadcast.value) }.sorted { $0.0 < $1.0 }
        // reach[i]: the highest address any of the first i + 1 spans covers.
        var reach: [UInt32] = []
        reach.reserveCapacity(spans.count)
        for span in spans { reach.append(max(reach.last ?? 0, span.1)) }
        func isTaken(_ candidate: IPv4Prefix) -> Bool {
            var low = 0, high = spans.count
            while low < high {
                let middle = (low + high) / 2
                if spans[middle].0 <= candidate.broadcast.value { low = middle + 1 } else { high = middle }
            }
            return low > 0 && reach[low - 1] >= candidate.network.value
        }
        for step in 0..<blockCount {
            let candidate = block((start + step) % blockCount)
            guard !isTaken(candidate) else { continue }
            let addresses = usable(candidate, limit: limit)
            if !addresses.isEmpty { return (candidate, addresses) }
        }
        return nil
    }
}
