/// The rules every pod has after the operator's, as Azure gives every NSG: the operator's rules (100-4096)
/// come first and can override them, but cannot remove them.
public enum DefaultRules {
    public static let inbound: [SecurityRule] = [
        SecurityRule(name: "AllowVnetInBound", priority: 65000, direction: .inbound, access: .allow, transport: .any,
                     sources: [.virtualNetwork], destinations: [.virtualNetwork]),
        // The kubelet probes pods from the node's own addresses.
        SecurityRule(name: "AllowNodeInBound", priority: 65001, direction: .inbound, access: .allow, transport: .any,
                     sources: [.node]),
        SecurityRule(name: "DenyAllInBound", priority: 65500, direction: .inbound, access: .deny, transport: .any),
    ]

    public static let outbound: [SecurityRule] = [
        SecurityRule(name: "AllowVnetOutBound", priority: 65000, direction: .outbound, access: .allow, transport: .any,
                     sources: [.virtualNetwork], destinations: [.virtualNetwork]),
        SecurityRule(name: "AllowInternetOutBound", priority: 65001, direction: .outbound, access: .allow, transport: .any,
                     destinations: [.internet]),
        SecurityRule(name: "DenyAllOutBound", priority: 65500, direction: .outbound, access: .deny, transport: .any),
    ]

    public static var all: [SecurityRule] { inbound + outbound }
}

extension SecurityRule {
    /// One of the defaults: they sit above the operator's priority range (65000-65500).
    public var isDefault: Bool { priority > SecurityRule.priorities.upperBound }
}
