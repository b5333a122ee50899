/// What the node's NAT must do: which table vnet owns, where pod traffic leaving the VNet is translated to,
/// and which destinations keep the pod's own address.
public struct NATConfig: Hashable, Sendable {
    /// The table vnet owns in family `ip`. Nothing outside it is ever read for change or touched.
    public var tableName: String
    /// The node's primary address: pod traffic to destinations outside the kept ranges leaves with it.
    public var snatAddress: IPv4Address
    /// The VNet's address ranges: pod traffic to them keeps the pod's address.
    public var vnetCIDRs: [IPv4Prefix]
    /// Further ranges reached without translation (peered VNets, on-premises), like ip-masq-agent's list.
    public var nonMasqueradeCIDRs: [IPv4Prefix]
    /// When false the table holds only the pod sets (so per-pod calls still work) and no chain: nothing is
    /// translated and nothing is counted.
    public var snat: Bool
    /// The network's security rules; nil when it has none (`securityRules` absent): then nothing is filtered.
    public var security: SecurityPolicy?

    public static let defaultTableName = "vnet"

    public init(tableName: String = NATConfig.defaultTableName, snatAddress: IPv4Address, vnetCIDRs: [IPv4Prefix],
                nonMasqueradeCIDRs: [IPv4Prefix] = [], snat: Bool = true, security: SecurityPolicy? = nil) {
        self.tableName = tableName
        self.snatAddress = snatAddress
        self.vnetCIDRs = vnetCIDRs
        self.nonMasqueradeCIDRs = nonMasqueradeCIDRs
        self.snat = snat
        self.security = security
    }

    /// Every range whose traffic keeps the pod's address, canonical (host bits cleared), sorted, without
    /// duplicates. Overlaps are left to nft, which merges intervals of an anonymous set itself.
    public var keptRanges: [IPv4Prefix] {
        let all = Set((vnetCIDRs + nonMasqueradeCIDRs).map(\.canonical))
        return all.sorted { ($0.address, $0.length) < ($1.address, $1.length) }
    }
}
