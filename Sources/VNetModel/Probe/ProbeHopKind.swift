/// What a hop of a path probe aims at, in the order a pod's traffic meets them: its gateway first, then the
/// node, the rest of the VNet, its DNS servers and the internet. The order is what lets the verdict name the
/// first place traffic stops: a dead gateway explains every hop behind it.
public enum ProbeHopKind: String, CaseIterable, Codable, Hashable, Sendable {
    case gateway
    case node
    case vnetAddress
    case dnsServer
    case internet

    /// How the verdict and the table name the hop ("vnet address 192.168.1.10").
    public var label: String {
        switch self {
        case .gateway: return "gateway"
        case .node: return "node"
        case .vnetAddress: return "vnet address"
        case .dnsServer: return "dns"
        case .internet: return "internet"
        }
    }
}
