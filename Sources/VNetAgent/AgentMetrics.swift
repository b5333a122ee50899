import Synchronization
import VNetModel

/// What vnetd counts and measures, per network, for its metrics endpoint and `/healthz`.
public final class AgentMetrics: Sendable {
    /// One network's readings.
    public struct Reading: Sendable, Hashable {
        public var vnet = ""
        public var node = ""
        public var used = 0
        public var reserved = 0
        public var leaks = 0
        public var vnetLimit = 0
        public var vnetReserved = 0
        public var registryUp = false
        public var lastError: String?
        public var grows = 0
        public var giveBacks = 0
        public var growthRequests = 0
        public var growthRefusals = 0
        public var reclaimed = 0
        public var registryErrors = 0
        /// Seconds each grow took, in the histogram's buckets.
        public var growLatency = Histogram()
        /// A `vnet` pool's blocks: owned now, claims and give-backs committed, and how long a claim took.
        public var blocksOwned = 0
        public var blockClaims = 0
        public var blockReleases = 0
        public var claimLatency = Histogram()
    }

    /// A Prometheus histogram: cumulative counts at fixed bounds.
    public struct Histogram: Sendable, Hashable {
        public static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
        public var counts = [Int](repeating: 0, count: Histogram.bounds.count)
        public var count = 0
        public var sum = 0.0

        public mutating func observe(_ seconds: Double) {
            for (i, bound) in Self.bounds.enumerated() where seconds <= bound { counts[i] += 1 }
            count += 1
            sum += seconds
        }
    }

    private let readings = Mutex<[String: Reading]>([:])

    public init() {}

    public func update(_ network: String, _ change: (inout Reading) -> Void) {
        readings.withLock { change(&$0[network, default: Reading()]) }
    }

    public var snapshot: [String: Reading] { readings.withLock { $0 } }

    /// Whether every network reached its registry on its last try.
    public var registryReachable: Bool {
        let all = snapshot
        return !all.isEmpty && all.values.allSatisfy(\.registryUp)
    }

    /// The Prometheus text exposition (version 0.0.4) of every reading.
    public func exposition() -> String {
        let all = snapshot.sorted { $0.key < $1.key }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ value: (Reading) -> Double) {
            out += "# HELP vnetd_\(name) \(help)\n# TYPE vnetd_\(name) \(type)\n"
            for (network, reading) in all { out += "vnetd_\(name){\(labels(network, reading))} \(format(value(reading)))\n" }
        }
        family("pods_used", "gauge", "Pods this node holds.") { Double($0.used) }
        family("pods_reserved", "gauge", "Pods this node may hold: its reservation in the VNet.") { Double($0.reserved) }
        family("leak_suspects", "gauge", "Leak suspects on this node.") { Double($0.leaks) }
        family("vnet_limit", "gauge", "The VNet's pod limit.") { Double($0.vnetLimit) }
        family("vnet_reserved", "gauge", "Pods reserved by all nodes of the VNet.") { Double($0.vnetReserved) }
        family("registry_up", "gauge", "1 when the registry answered the last call.") { $0.registryUp ? 1 : 0 }
        family("grows_total", "counter", "Reservation grows committed.") { Double($0.grows) }
        family("give_backs_total", "counter", "Reservation give-backs committed.") { Double($0.giveBacks) }
        family("growth_requests_total", "counter", "ADDs that asked for room over the socket.") { Double($0.growthRequests) }
        family("growth_refusals_total", "counter", "ADDs that asked for room and were refused.") { Double($0.growthRefusals) }
        family("reclaimed_total", "counter", "Leaked addresses reclaimed by vnetd.") { Double($0.reclaimed) }
        family("registry_errors_total", "counter", "Registry calls that failed.") { Double($0.registryErrors) }
        family("blocks_owned", "gauge", "Address blocks of a vnet pool this node owns.") { Double($0.blocksOwned) }
        family("block_claims_total", "counter", "Address blocks claimed.") { Double($0.blockClaims) }
        family("block_releases_total", "counter", "Address blocks given back.") { Double($0.blockReleases) }
        func histogram(_ name: String, _ help: String, _ value: (Reading) -> Histogram) {
            out += "# HELP vnetd_\(name) \(help)\n# TYPE vnetd_\(name) histogram\n"
            for (network, reading) in all {
                let base = labels(network, reading), histogram = value(reading)
                for (i, bound) in Histogram.bounds.enumerated() {
                    out += "vnetd_\(name)_bucket{\(base),le=\"\(format(bound))\"} \(histogram.counts[i])\n"
                }
                out += "vnetd_\(name)_bucket{\(base),le=\"+Inf\"} \(histogram.count)\n"
                out += "vnetd_\(name)_sum{\(base)} \(format(histogram.sum))\n"
                out += "vnetd_\(name)_count{\(base)} \(histogram.count)\n"
            }
        }
        histogram("grow_seconds", "Time to commit a reservation grow.") { $0.growLatency }
        histogram("block_claim_seconds", "Time to claim an address block (read, choose, commit).") { $0.claimLatency }
        return out
    }

    private func labels(_ network: String, _ reading: Reading) -> String {
        "network=\"\(escape(network))\",vnet=\"\(escape(reading.vnet))\",node=\"\(escape(reading.node))\""
    }

    private func escape(_ text: String) -> String {
        text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    /// `/healthz`: whether the registry is reachable, per network.
    public func health() -> (healthy: Bool, body: String) {
        let all = snapshot.sorted { $0.key < $1.key }
        let networks: [JSONValue] = all.map { network, reading in
            .object(["network": .string(network), "vnet": .string(reading.vnet), "node": .string(reading.node),
                     "registryReachable": .bool(reading.registryUp), "lastError": reading.lastError.map(JSONValue.string) ?? .null,
                     "used": .number(Double(reading.used)), "reserved": .number(Double(reading.reserved))])
        }
        let healthy = registryReachable
        return (healthy, JSONWriter.string(.object(["registryReachable": .bool(healthy), "networks": .array(networks)])) + "\n")
    }
}
