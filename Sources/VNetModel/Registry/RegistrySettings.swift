/// `ipam.registry`: the VNet a node's network belongs to and how its agent (vnetd) keeps its share:
///
///     "registry": { "vnet": "prod", "endpoints": ["http://127.0.0.1:2379"], "node": "node-a",
///                   "reservationStep": 16, "autoReclaimAfterSeconds": 300 }
///
/// The plugins never talk to the registry: they enforce the reservation vnetd writes (`GrantedReservation`).
public struct RegistrySettings: Sendable, Hashable {
    public static let defaultReservationStep = 16
    public static let defaultAutoReclaimAfterSeconds = 300

    public var vnet: String
    /// etcd client URLs ("http://host:port").
    public var endpoints: [String]
    /// The node's name in the VNet; nil: the host name, resolved by the agent.
    public var node: String?
    /// How many pods a reservation grows (and shrinks) by.
    public var reservationStep: Int
    /// How long a high-confidence leak waits before the agent reclaims it; 0 turns automatic reclaim off.
    public var autoReclaimAfterSeconds: Int

    public init(vnet: String, endpoints: [String], node: String? = nil, reservationStep: Int = RegistrySettings.defaultReservationStep,
                autoReclaimAfterSeconds: Int = RegistrySettings.defaultAutoReclaimAfterSeconds) {
        self.vnet = vnet
        self.endpoints = endpoints
        self.node = node
        self.reservationStep = reservationStep
        self.autoReclaimAfterSeconds = autoReclaimAfterSeconds
    }

    /// Reads `registry` under `reader` (nil when absent); every error names the key and the value.
    public static func parse(_ reader: ConfigReader) throws(ConfigError) -> RegistrySettings? {
        guard let registry = try reader.object("registry") else { return nil }
        let key = registry.context
        guard let vnet = try registry.string("vnet") else { throw ConfigError("\"\(key).vnet\" is missing") }
        guard RegistryKeys.isValidName(vnet) else {
            throw ConfigError("\"\(key).vnet\" must be 1-128 letters, digits, '.', '-' or '_'", details: "found \"\(vnet)\"")
        }
        guard let endpoints = try registry.strings("endpoints"), !endpoints.isEmpty else {
            throw ConfigError("\"\(key).endpoints\" must list the etcd client URLs")
        }
        for endpoint in endpoints where !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            throw ConfigError("\"\(key).endpoints\" must hold http:// or https:// URLs", details: "found \"\(endpoint)\"")
        }
        let node = try registry.string("node")
        if let node, !RegistryKeys.isValidName(node) {
            throw ConfigError("\"\(key).node\" must be 1-128 letters, digits, '.', '-' or '_'", details: "found \"\(node)\"")
        }
        return RegistrySettings(vnet: vnet, endpoints: endpoints, node: node,
                                reservationStep: try registry.int("reservationStep", in: 1...256) ?? defaultReservationStep,
                                autoReclaimAfterSeconds: try registry.int("autoReclaimAfterSeconds", in: 0...86_400 * 7)
                                    ?? defaultAutoReclaimAfterSeconds)
    }
}
