/// A public address given to one pod (`publicIPs` in the network config): traffic to it reaches the pod, and
/// the pod's internet-bound traffic leaves with it.
public struct PublicIPAssignment: Hashable, Sendable {
    /// "namespace/name".
    public var pod: String
    public var address: IPv4Address

    public init(pod: String, address: IPv4Address) {
        self.pod = pod
        self.address = address
    }

    /// Reads `publicIPs`, refusing (code 7, naming the entry and key) a malformed entry, an address inside
    /// the VNet's own ranges (`virtualNetwork`: it would never leave the VNet as a public address), and an
    /// address or a pod named twice.
    public static func parse(_ value: JSONValue?, virtualNetwork: [IPv4Prefix]) throws(ConfigError) -> [PublicIPAssignment] {
        guard let value, value != .null else { return [] }
        guard let array = value.arrayValue else { throw ConfigError("\"publicIPs\" must be an array of {\"pod\", \"address\"}") }
        var result: [PublicIPAssignment] = []
        var byAddress: [IPv4Address: String] = [:], byPod: Set<String> = []
        for (index, item) in array.enumerated() {
            let label = "publicIPs[\(index)]"
            guard case .object(let object) = item else { throw ConfigError("\(label) must be an object with \"pod\" and \"address\"") }
            if let unknown = object.keys.sorted().first(where: { $0 != "pod" && $0 != "address" }) {
                throw ConfigError("\(label): \"\(unknown)\" is not a key of a public IP (pod, address)")
            }
            guard let pod = object["pod"]?.stringValue, PodGlob(pod) != nil, !pod.contains("*"), !pod.contains("?") else {
                throw ConfigError("\(label): \"pod\" must be one pod's namespace/name")
            }
            guard let text = object["address"]?.stringValue, let address = IPv4Address(text) else {
                throw ConfigError("\(label) \(pod): \"address\" must be an IPv4 address")
            }
            if let range = virtualNetwork.first(where: { $0.contains(address) }) {
                throw ConfigError("\(label) \(pod): \"address\" \(address) is inside the VNet's own range \(range.network)/\(range.length); "
                    + "a public IP must lie outside vnetCIDRs and nonMasqueradeCIDRs")
            }
            if let other = byAddress[address] {
                throw ConfigError("\(label) \(pod): \"address\" \(address) is already given to \(other)")
            }
            guard byPod.insert(pod).inserted else { throw ConfigError("\(label): \"pod\" \(pod) already has a public IP") }
            byAddress[address] = pod
            result.append(PublicIPAssignment(pod: pod, address: address))
        }
        return result
    }
}
