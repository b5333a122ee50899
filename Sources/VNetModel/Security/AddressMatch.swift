/// What a rule's address prefix matches: a CIDR, or a tag resolved on each node.
public enum AddressMatch: Hashable, Sendable, CustomStringConvertible {
    /// `*`: every address.
    case any
    case prefix(IPv4Prefix)
    /// `VirtualNetwork`: the VNet's ranges and the ranges reached without NAT (vnetCIDRs plus
    /// nonMasqueradeCIDRs).
    case virtualNetwork
    /// `Internet`: every address outside `VirtualNetwork`.
    case internet
    /// `Node`: the node's own addresses, so that the kubelet's probes reach the pods.
    case node

    /// Parses a CIDR or a tag; nil for anything else (the parser names the rule and key).
    public init?(_ text: String) {
        switch text {
        case "*", "Any": self = .any
        case "VirtualNetwork": self = .virtualNetwork
        case "Internet": self = .internet
        case "Node": self = .node
        default:
            if let prefix = IPv4Prefix(text) {
                self = .prefix(prefix.canonical)
            } else if let address = IPv4Address(text) {
                self = .prefix(IPv4Prefix(address: address, length: 32))
            } else {
                return nil
            }
        }
    }

    public var description: String {
        switch self {
        case .any: return "*"
        case .prefix(let prefix): return "\(prefix.network)/\(prefix.length)"
        case .virtualNetwork: return "VirtualNetwork"
        case .internet: return "Internet"
        case .node: return "Node"
        }
    }

    /// The prefixes this match stands for on a node, and whether they are excluded (Internet is everything
    /// but the VirtualNetwork ranges).
    public func resolve(_ context: RuleContext) -> ResolvedAddresses {
        switch self {
        case .any: return ResolvedAddresses(prefixes: [IPv4Prefix(address: IPv4Address(0), length: 0)], negated: false)
        case .prefix(let prefix): return ResolvedAddresses(prefixes: [prefix], negated: false)
        case .virtualNetwork: return ResolvedAddresses(prefixes: context.virtualNetwork, negated: false)
        case .internet: return ResolvedAddresses(prefixes: context.virtualNetwork, negated: true)
        case .node: return ResolvedAddresses(prefixes: context.nodeAddresses.map { IPv4Prefix(address: $0, length: 32) }, negated: false)
        }
    }
}

/// A match resolved to prefixes: an address matches when it lies in one of them, or with `negated` in none.
public struct ResolvedAddresses: Hashable, Sendable {
    public var prefixes: [IPv4Prefix]
    public var negated: Bool

    public func contains(_ address: IPv4Address) -> Bool {
        prefixes.contains { $0.contains(address) } != negated
    }
}

/// What tags mean on this node.
public struct RuleContext: Hashable, Sendable {
    /// vnetCIDRs plus nonMasqueradeCIDRs.
    public var virtualNetwork: [IPv4Prefix]
    /// The node's own addresses (its primary, the bridge's gateway address).
    public var nodeAddresses: [IPv4Address]

    public init(virtualNetwork: [IPv4Prefix], nodeAddresses: [IPv4Address]) {
        self.virtualNetwork = virtualNetwork
        self.nodeAddresses = nodeAddresses
    }
}
