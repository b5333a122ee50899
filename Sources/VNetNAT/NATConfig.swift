import VNetModel

/// What the node's NAT must do: which table vnet owns, where pod traffic leaving the VNet is translated to,
/// and which destinations keep the pod's own address.
public struct NATConfig: Hashable, Sendable, Codable {
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

    public static let defaultTableName = "vnet"

    public init(tableName: String = NATConfig.defaultTableName, snatAddress: IPv4Address, vnetCIDRs: [IPv4Prefix],
                nonMasqueradeCIDRs: [IPv4Prefix] = [], snat: Bool = true) {
        self.tableName = tableName
        self.snatAddress = snatAddress
        self.vnetCIDRs = vnetCIDRs
        self.nonMasqueradeCIDRs = nonMasqueradeCIDRs
        self.snat = snat
    }

    /// Every range whose traffic keeps the pod's address, canonical (host bits cleared), sorted, without
    /// duplicates. Overlaps are left to nft, which merges intervals of an anonymous set itself.
    public var keptRanges: [IPv4Prefix] {
        let all = Set((vnetCIDRs + nonMasqueradeCIDRs).map(\.canonical))
        return all.sorted { ($0.address, $0.length) < ($1.address, $1.length) }
    }
}

extension NATConfig {
    /// nft identifiers: a letter first, then letters, digits, '_' or '-'; kept short so every comment and
    /// error stays readable. Checked because the name ends up in every command we send.
    static func validate(tableName: String) throws(NATError) {
        let bytes = Array(tableName.utf8)
        func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        guard let first = bytes.first, isLetter(first), bytes.count <= 64,
              bytes.allSatisfy({ isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else {
            throw .invalidConfiguration(
                "table name \"\(tableName)\" must be 1-64 ASCII letters, digits, '_' or '-', starting with a letter")
        }
    }
}
