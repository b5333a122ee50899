/// The console's screens, numbered as the digit keys that open them.
public enum ScreenID: Int, CaseIterable, Hashable, Sendable {
    case overview = 1
    case endpoints
    case links
    case nat
    case leaks
    /// The whole VNet from the registry: every node, conflicts, the registry's health.
    case vnet
    /// What happened on the node: CNI calls and operations, newest first, failures marked.
    case events
    /// The network's security rules with counters and movement, the selected pod's effective rules, verify.
    case security

    public var title: String {
        switch self {
        case .overview: return "Overview"
        case .endpoints: return "Endpoints"
        case .links: return "Links"
        case .nat: return "NAT"
        case .leaks: return "Leaks"
        case .vnet: return "VNet"
        case .events: return "Events"
        case .security: return "Security"
        }
    }

    /// The title on a crowded tab bar.
    public var shortTitle: String {
        switch self {
        case .overview: return "Over"
        case .endpoints: return "Endp"
        case .links: return "Link"
        case .nat: return "NAT"
        case .leaks: return "Leak"
        case .vnet: return "VNet"
        case .events: return "Evts"
        case .security: return "Sec"
        }
    }

    /// The screen Tab (or Shift-Tab with `forward` false) goes to.
    public func next(forward: Bool = true) -> ScreenID {
        let all = ScreenID.allCases
        let i = all.firstIndex(of: self) ?? 0
        return all[(i + (forward ? 1 : all.count - 1)) % all.count]
    }
}
