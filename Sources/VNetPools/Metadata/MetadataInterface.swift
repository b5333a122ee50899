import VNetModel

/// One network interface as a metadata service describes it, in a shape common to the wireserver and IMDS.
public struct MetadataInterface: Hashable, Sendable {
    public struct Address: Hashable, Sendable {
        public var address: IPv4Address
        /// The interface's primary IP configuration: the node's own address, never a pod's.
        public var isPrimary: Bool

        public init(_ address: IPv4Address, isPrimary: Bool) {
            self.address = address
            self.isPrimary = isPrimary
        }
    }

    public struct Subnet: Hashable, Sendable {
        public var prefix: IPv4Prefix
        public var addresses: [Address]

        public init(prefix: IPv4Prefix, addresses: [Address]) {
            self.prefix = prefix
            self.addresses = addresses
        }
    }

    /// As the document spells it.
    public var macAddress: String
    /// The VM's primary NIC (wireserver: IsPrimary; IMDS: the first interface listed).
    public var isPrimary: Bool
    public var subnets: [Subnet]

    public init(macAddress: String, isPrimary: Bool, subnets: [Subnet]) {
        self.macAddress = macAddress
        self.isPrimary = isPrimary
        self.subnets = subnets
    }

    /// The interface the pool comes from: the one with `mac`, else the primary one.
    public static func select(_ interfaces: [MetadataInterface], mac: MACAddress?, source: String) throws(PoolDocumentError) -> MetadataInterface {
        let listed = interfaces.map(\.macAddress).joined(separator: ", ")
        if let mac {
            guard let match = interfaces.first(where: { MACAddress($0.macAddress) == mac }) else {
                throw PoolDocumentError(source: source, reason: "no interface with MAC address \(mac) (listed: \(listed.isEmpty ? "none" : listed))")
            }
            return match
        }
        let primaries = interfaces.filter(\.isPrimary)
        if primaries.count == 1, let primary = primaries.first { return primary }
        if interfaces.count == 1, let only = interfaces.first { return only }
        if interfaces.isEmpty { throw PoolDocumentError(source: source, reason: "no interfaces listed") }
        throw PoolDocumentError(source: source, reason: primaries.isEmpty
            ? "no interface is marked primary; set pool.macAddress to choose one of \(listed)"
            : "several interfaces are marked primary; set pool.macAddress to choose one of \(listed)")
    }

    /// The pool this interface offers: its secondary addresses in the subnet of its primary address.
    ///
    /// Gateway: the subnet's first host (the VNet router). Addresses of other subnets on the same NIC are
    /// left out: a pod's address must share the subnet the bridge and gateway are set up for.
    public func definition(source: String) throws(PoolDocumentError) -> PoolDefinition {
        let chosen: Subnet
        let withPrimary = subnets.filter { $0.addresses.contains(where: \.isPrimary) }
        if let first = withPrimary.first {
            chosen = first
        } else if subnets.count == 1, let only = subnets.first {
            chosen = only
        } else {
            throw PoolDocumentError(source: source, reason: subnets.isEmpty
                ? "interface \(macAddress) has no IPv4 subnet"
                : "interface \(macAddress) has several subnets and no primary address to choose one")
        }
        let subnet = chosen.prefix.canonical
        let primaries = Set(subnets.flatMap(\.addresses).filter(\.isPrimary).map(\.address))
        let secondaries = Set(chosen.addresses.filter { !$0.isPrimary }.map(\.address)).subtracting(primaries)
        return PoolDefinition(subnet: subnet, gateway: subnet.firstHost, addresses: secondaries.sorted().map(\.description),
                              primaryAddresses: primaries.sorted())
    }
}
