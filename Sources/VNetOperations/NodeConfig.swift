import VNetModel

/// The `vnet` plugin's own keys, validated. Documented in docs/configuration.md.
public struct NodeConfig: Sendable, Hashable {
    public static let defaultBridge = "vnet0"
    public static let defaultMTU = 1500

    public var network: String
    public var bridge: String
    public var mtu: Int
    /// The VNet's ranges: pod traffic to them keeps the pod's address. Defaults to the pool's subnet.
    public var vnetCIDRs: [IPv4Prefix]
    /// Peered VNets and on-premises ranges, also reached without SNAT.
    public var nonMasqueradeCIDRs: [IPv4Prefix]
    public var snat: Bool
    /// The address SNAT translates to; nil means the node's primary address, found from the routing table.
    public var snatAddress: IPv4Address?
    public var natTable: String
    public var hairpinMode: Bool
    public var promiscMode: Bool
    /// An IPv6 link-local address on the pod's interface. Off by default: the pool is IPv4, and such an
    /// address only sends multicast (duplicate address detection, router solicitations, MLD reports) that
    /// the bridge floods to every other pod on the node.
    public var podIPv6: Bool
    /// Extra pod routes (on top of IPAM's).
    public var routes: [RouteSpec]
    public var dns: DNSSettings?
    /// The IPAM plugin's type; "vnet-ipam" runs in-process.
    public var ipamType: String
    /// Where `vnetctl probe` and the console's probe aim the hops the node cannot guess (`probe` key).
    public var probe: ProbeSettings
    /// The operator's security rules (`securityRules`); nil when the key is absent, and then no pod's
    /// traffic is filtered. An empty list still gives every pod the default rules.
    public var securityRules: [SecurityRule]?


    public init(network: String, bridge: String = NodeConfig.defaultBridge, mtu: Int = NodeConfig.defaultMTU,
                vnetCIDRs: [IPv4Prefix] = [], nonMasqueradeCIDRs: [IPv4Prefix] = [], snat: Bool = true,
                snatAddress: IPv4Address? = nil, natTable: String = "vnet", hairpinMode: Bool = false,
                promiscMode: Bool = false, podIPv6: Bool = false, routes: [RouteSpec] = [], dns: DNSSettings? = nil,
                ipamType: String = "vnet-ipam", probe: ProbeSettings = ProbeSettings()) {
        self.network = network
        self.bridge = bridge
        self.mtu = mtu
        self.vnetCIDRs = vnetCIDRs
        self.nonMasqueradeCIDRs = nonMasqueradeCIDRs
        self.snat = snat
        self.snatAddress = snatAddress
        self.natTable = natTable
        self.hairpinMode = hairpinMode
        self.promiscMode = promiscMode
        self.podIPv6 = podIPv6
        self.routes = routes
        self.dns = dns
        self.ipamType = ipamType
        self.probe = probe
    }

    /// Reads the plugin's keys from the network configuration object.
    public static func parse(network: String, _ object: [String: JSONValue]) throws(ConfigError) -> NodeConfig {
        let reader = ConfigReader(object)
        var config = NodeConfig(network: network)
        if let bridge = try reader.string("bridge") {
            guard isLinkName(bridge) else {
                throw ConfigError("\"bridge\" is \"\(bridge)\"; a link name has 1 to 15 characters without '/', ':' or spaces")
            }
            config.bridge = bridge
        }
        config.mtu = try reader.int("mtu", in: 576...65_535) ?? defaultMTU
        config.vnetCIDRs = try reader.prefixes("vnetCIDRs") ?? []
        config.nonMasqueradeCIDRs = try reader.prefixes("nonMasqueradeCIDRs") ?? []
        let ipMasq = try reader.bool("ipMasq")
        config.snat = try reader.bool("snat") ?? ipMasq ?? true
        config.snatAddress = try reader.address("snatAddress")
        if let table = try reader.string("natTable") {
            guard !table.isEmpty, table.utf8.count <= 64, table.utf8.allSatisfy({ isIdentifierByte($0) }),
                  let first = table.utf8.first, (first | 0x20) >= 97 && (first | 0x20) <= 122 else {
                throw ConfigError("\"natTable\" is \"\(table)\"; use letters, digits, '_' or '-', starting with a letter")
            }
            config.natTable = table
        }
        config.hairpinMode = try reader.bool("hairpinMode") ?? false
        config.promiscMode = try reader.bool("promiscMode") ?? false
        config.podIPv6 = try reader.bool("podIPv6") ?? false
        config.routes = try reader.routes("routes") ?? []
        if let dnsReader = try reader.object("dns") {
            let dns = DNSSettings(nameservers: try dnsReader.strings("nameservers"), domain: try dnsReader.string("domain"),
                                  search: try dnsReader.strings("search"), options: try dnsReader.strings("options"))
            config.dns = dns.isEmpty ? nil : dns
        }
        if let probeReader = try reader.object("probe") { config.probe = try ProbeSettings.parse(probeReader) }
        if let rules = object["securityRules"], rules != .null { config.securityRules = try SecurityRuleParser.parse(rules) }
        guard let ipam = try reader.object("ipam") else { throw ConfigError("\"ipam\" is missing: vnet needs an IPAM plugin") }
        guard let type = try ipam.string("type"), !type.isEmpty else { throw ConfigError("\"ipam.type\" is missing") }
        config.ipamType = type
        return config
    }

    static func isLinkName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return !bytes.isEmpty && bytes.count <= 15 && name != "." && name != ".."
            && !bytes.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 32 || $0 == 127 }
    }

    static func isIdentifierByte(_ b: UInt8) -> Bool {
        (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    /// The ranges that keep pod addresses, defaulting the VNet to the pool's subnet.
    public func keptRanges(subnet: IPv4Prefix) -> (vnet: [IPv4Prefix], other: [IPv4Prefix]) {
        (vnetCIDRs.isEmpty ? [subnet] : vnetCIDRs, nonMasqueradeCIDRs)
    }
}
