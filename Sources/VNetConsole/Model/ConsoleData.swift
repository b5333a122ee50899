import VNetModel

/// The latest snapshot with what screens derive from it once per refresh (rates, lookups), so drawing a
/// frame never recomputes them.
public struct ConsoleData: Sendable {
    public let snapshot: NodeSnapshot
    public let previous: NodeSnapshot?
    public let rates: SnapshotRates
    /// Endpoint index by host veth name: which pod owns a link.
    let endpointByVeth: [String: Int]

    public init(current: NodeSnapshot, previous: NodeSnapshot?) {
        snapshot = current
        self.previous = previous
        rates = SnapshotRates(previous: previous, current: current)
        var byVeth: [String: Int] = [:]
        for (i, endpoint) in current.endpoints.enumerated() { byVeth[endpoint.hostVeth] = i }
        endpointByVeth = byVeth
    }

    public func endpoint(owning veth: String) -> EndpointView? {
        endpointByVeth[veth].map { snapshot.endpoints[$0] }
    }

    public func endpoint(for key: AttachmentKey) -> EndpointView? {
        snapshot.endpoints.first { $0.key == key }
    }
}

/// How an endpoint is doing, worst problem first, as one word and a role.
enum EndpointHealth {
    static func of(_ endpoint: EndpointView) -> (text: String, role: StyleRole) {
        switch endpoint.namespace {
        case .gone: return ("ns gone", .bad)
        case .unconfirmed: return ("ns ?", .warn)
        case .alive: break
        }
        guard let link = endpoint.link else { return ("no veth", .bad) }
        if endpoint.phase == .attaching { return ("attaching", .warn) }
        if !link.adminUp || link.operState == .down || link.operState == .lowerLayerDown { return ("down", .warn) }
        return ("ok", .good)
    }
}
