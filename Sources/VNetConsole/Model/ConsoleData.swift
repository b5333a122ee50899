import VNetModel

/// The latest snapshot with what screens derive from it once per refresh (rates, lookups), so drawing a
/// frame never recomputes them.
public struct ConsoleData: Sendable {
    public let snapshot: NodeSnapshot
    public let previous: NodeSnapshot?
    public let rates: SnapshotRates
    /// The network's security rules with counters; nil when it has none (no pod's traffic is filtered).
    public let security: SecurityReading?
    /// The rules' movement since the previous reading.
    public let securityRates: SecurityRates
    /// Endpoint index by host veth name: which pod owns a link.
    let endpointByVeth: [String: Int]

    public init(current: NodeSnapshot, previous: NodeSnapshot?, security: SecurityReading? = nil,
                previousSecurity: SecurityReading? = nil) {
        snapshot = current
        self.previous = previous
        rates = SnapshotRates(previous: previous, current: current)
        self.security = security
        securityRates = SecurityRates(previous: previousSecurity, current: security)
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

extension EndpointHealth {
    /// How a cell shows this health.
    var role: StyleRole {
        switch self {
        case .ok: return .good
        case .attaching, .down, .namespaceUnconfirmed: return .warn
        case .noVeth, .namespaceGone: return .bad
        }
    }
}
