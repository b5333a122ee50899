/// How an endpoint is doing: its worst problem, judged from its namespace, its veth and its phase. The
/// console's cells, the overview's counts and any other view take this value, not its text.
public enum EndpointHealth: String, Sendable, Hashable, CaseIterable {
    case ok
    case attaching
    case down
    case noVeth = "no veth"
    case namespaceGone = "ns gone"
    /// Not a fault: the namespace cannot be read from this mount namespace, and no veth vouches for it.
    case namespaceUnconfirmed = "ns ?"

    public init(_ endpoint: EndpointView) {
        switch endpoint.namespace {
        case .gone: self = .namespaceGone; return
        case .unconfirmed: self = .namespaceUnconfirmed; return
        case .alive: break
        }
        guard let link = endpoint.link else { self = .noVeth; return }
        if endpoint.phase == .attaching { self = .attaching; return }
        if !link.adminUp || link.operState == .down || link.operState == .lowerLayerDown { self = .down; return }
        self = .ok
    }

    /// The word a cell shows.
    public var text: String { rawValue }
}
