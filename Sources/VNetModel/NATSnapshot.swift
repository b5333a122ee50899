/// One rule of vnet's nftables table with its counter.
public struct NATRuleCounter: Codable, Hashable, Sendable {
    public var chain: String
    public var handle: Int
    /// What the rule does, in words ("masquerade pod traffic leaving the VNet to 10.240.0.4").
    public var comment: String
    public var packets: UInt64
    public var bytes: UInt64

    public init(chain: String, handle: Int, comment: String, packets: UInt64, bytes: UInt64) {
        self.chain = chain
        self.handle = handle
        self.comment = comment
        self.packets = packets
        self.bytes = bytes
    }
}

/// SNAT counters of one pod address.
public struct PodNATCounter: Codable, Hashable, Sendable {
    public var address: IPv4Address
    public var packets: UInt64
    public var bytes: UInt64

    public init(address: IPv4Address, packets: UInt64, bytes: UInt64) {
        self.address = address
        self.packets = packets
        self.bytes = bytes
    }
}

/// vnet's NAT state on the node.
public struct NATSnapshot: Codable, Hashable, Sendable {
    public var present: Bool
    public var snatAddress: IPv4Address?
    public var rules: [NATRuleCounter]
    public var perPod: [PodNATCounter]
    /// The security rules' kernel rules with their counters (several per rule when it has several prefix
    /// alternatives); `rules` holds only the translation's. Empty without rules.
    public var securityRules: [NATRuleCounter]
    /// Per pod under security rules: the packets of new connections its inbound and its outbound rules
    /// decided (empty without rules).
    public var filteredInbound: [PodNATCounter]
    public var filteredOutbound: [PodNATCounter]

    public init(present: Bool, snatAddress: IPv4Address?, rules: [NATRuleCounter], perPod: [PodNATCounter],
                securityRules: [NATRuleCounter] = [], filteredInbound: [PodNATCounter] = [], filteredOutbound: [PodNATCounter] = []) {
        self.present = present
        self.snatAddress = snatAddress
        self.rules = rules
        self.perPod = perPod
        self.securityRules = securityRules
        self.filteredInbound = filteredInbound
        self.filteredOutbound = filteredOutbound
    }

    public static let absent = NATSnapshot(present: false, snatAddress: nil, rules: [], perPod: [])
}
