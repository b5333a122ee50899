/// DNS settings handed to pods, in the CNI result's shape.
public struct DNSSettings: Codable, Hashable, Sendable {
    public var nameservers: [String]?
    public var domain: String?
    public var search: [String]?
    public var options: [String]?

    public init(nameservers: [String]? = nil, domain: String? = nil, search: [String]? = nil, options: [String]? = nil) {
        self.nameservers = nameservers
        self.domain = domain
        self.search = search
        self.options = options
    }

    public var isEmpty: Bool {
        (nameservers ?? []).isEmpty && domain == nil && (search ?? []).isEmpty && (options ?? []).isEmpty
    }
}

/// What a pool source says about the node's addresses, before validation: the static fields of the
/// configuration contract, also the content of a pool file and what the metadata sources produce.
public struct PoolDefinition: Codable, Hashable, Sendable {
    public var subnet: IPv4Prefix
    public var gateway: IPv4Address?
    /// Address ranges ("a-b"), single addresses or prefixes that pods may get.
    public var addresses: [String]
    /// Addresses or ranges never handed out.
    public var exclude: [String]?
    public var dns: DNSSettings?
    /// The node's primary addresses: never pod addresses (metadata sources fill this in).
    public var primaryAddresses: [IPv4Address]?

    public init(subnet: IPv4Prefix, gateway: IPv4Address? = nil, addresses: [String], exclude: [String]? = nil,
                dns: DNSSettings? = nil, primaryAddresses: [IPv4Address]? = nil) {
        self.subnet = subnet
        self.gateway = gateway
        self.addresses = addresses
        self.exclude = exclude
        self.dns = dns
        self.primaryAddresses = primaryAddresses
    }
}

/// Why a pool definition cannot be used.
public enum PoolError: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidRange(String)
    case outsideSubnet(String, subnet: IPv4Prefix)
    case gatewayOutsideSubnet(IPv4Address, subnet: IPv4Prefix)
    case tooLarge(count: UInt64, limit: Int)
    case empty

    public var description: String {
        switch self {
        case .invalidRange(let text): return "invalid address or range \"\(text)\" in pool"
        case .outsideSubnet(let text, let subnet): return "pool address \"\(text)\" is outside the subnet \(subnet)"
        case .gatewayOutsideSubnet(let gw, let subnet): return "gateway \(gw) is outside the subnet \(subnet)"
        case .tooLarge(let count, let limit): return "pool has \(count) addresses; at most \(limit) are supported"
        case .empty: return "pool has no assignable addresses (after exclusions, gateway and primary addresses)"
        }
    }
}

/// A validated pool: the sorted, unique addresses pods may get, with the subnet, gateway and DNS.
public struct Pool: Hashable, Sendable {
    /// More addresses than any VNet node can hold; bounds memory on hostile input.
    public static let maximumSize = 65_536

    public let subnet: IPv4Prefix
    public let gateway: IPv4Address
    public let addresses: [IPv4Address]
    public let dns: DNSSettings?

    public init(_ definition: PoolDefinition) throws(PoolError) {
        let subnet = definition.subnet.canonical
        let gateway = definition.gateway ?? subnet.firstHost
        guard subnet.contains(gateway) else { throw .gatewayOutsideSubnet(gateway, subnet: subnet) }

        var excluded = Set<IPv4Address>([gateway])
        if subnet.length < 31 { excluded.formUnion([subnet.network, subnet.broadcast]) }
        excluded.formUnion(definition.primaryAddresses ?? [])
        for text in definition.exclude ?? [] {
            guard let range = AddressRange(text) else { throw .invalidRange(text) }
            guard range.count <= UInt64(Self.maximumSize) else { throw .tooLarge(count: range.count, limit: Self.maximumSize) }
            var value = range.first.value
            while true {
                excluded.insert(IPv4Address(value))
                if value == range.last.value { break }
                value += 1
            }
        }

        // Every CNI call builds its pool, so no hashing of each address: collect, sort, drop duplicates.
        var chosen: [IPv4Address] = []
        var total: UInt64 = 0
        for text in definition.addresses {
            guard let range = AddressRange(text) else { throw .invalidRange(text) }
            guard subnet.contains(range.first), subnet.contains(range.last) else { throw .outsideSubnet(text, subnet: subnet) }
            total += range.count
            guard total <= UInt64(Self.maximumSize) else { throw .tooLarge(count: total, limit: Self.maximumSize) }
            chosen.reserveCapacity(Int(total))
            var value = range.first.value
            while true {
                chosen.append(IPv4Address(value))
                if value == range.last.value { break }
                value += 1
            }
        }
        chosen.sort()
        // The exclusions are taken out by walking both sorted lists side by side (a Set lookup per address
        // cost more than the rest of a CNI call's pool work).
        let exclusions = excluded.sorted()
        var next = 0
        var unique: [IPv4Address] = []
        unique.reserveCapacity(chosen.count)
        for address in chosen where unique.last != address {
            while next < exclusions.count && exclusions[next] < address { next += 1 }
            if next < exclusions.count && exclusions[next] == address { continue }
            unique.append(address)
        }
        guard !unique.isEmpty else { throw .empty }
        self.subnet = subnet
        self.gateway = gateway
        self.addresses = unique
        self.dns = definition.dns
    }

    public var capacity: Int { addresses.count }

    /// Binary search in the sorted addresses; a range check when they are one unbroken run (most pools),
    /// since every ADD asks this about every lease.
    public func contains(_ address: IPv4Address) -> Bool {
        guard let first = addresses.first, let last = addresses.last else { return false }
        if Int(last.value - first.value) == addresses.count - 1 { return first <= address && address <= last }
        var low = 0, high = addresses.count
        while low < high {
            let middle = (low + high) / 2
            if addresses[middle] < address { low = middle + 1 } else { high = middle }
        }
        return low < addresses.count && addresses[low] == address
    }
}
