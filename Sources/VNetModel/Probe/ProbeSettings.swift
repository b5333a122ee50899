/// The `probe` key of the vnet plugin's network configuration: where `vnetctl probe` and the console aim
/// the hops no node knows by itself (an address elsewhere in the VNet or a peered range, one on the
/// internet), the DNS name to ask for and each hop's timeout. vnetctl's flags override each.
///
///     "probe": {"vnetAddress": "192.168.1.10", "internetAddress": "203.0.113.10", "timeoutSeconds": 1,
///               "dnsName": "example.com"}
public struct ProbeSettings: Hashable, Sendable {
    public static let defaultTimeout = 1.0
    public static let defaultDNSName = "example.com"
    /// Bounds of `timeoutSeconds`: long enough for a slow answer, short enough that a probe never seems hung.
    public static let timeoutRange = 0.05...10.0

    public var vnetAddress: IPv4Address?
    public var internetAddress: IPv4Address?
    /// Each hop's timeout; the whole probe is bounded by it times the number of hops, plus a little.
    public var timeoutSeconds: Double
    public var dnsName: String

    public init(vnetAddress: IPv4Address? = nil, internetAddress: IPv4Address? = nil,
                timeoutSeconds: Double = ProbeSettings.defaultTimeout, dnsName: String = ProbeSettings.defaultDNSName) {
        self.vnetAddress = vnetAddress
        self.internetAddress = internetAddress
        self.timeoutSeconds = timeoutSeconds
        self.dnsName = dnsName
    }

    /// Reads the `probe` object; absent keys keep their defaults.
    public static func parse(_ reader: ConfigReader) throws(ConfigError) -> ProbeSettings {
        let known: Set<String> = ["vnetAddress", "internetAddress", "timeoutSeconds", "dnsName"]
        if let unknown = reader.object.keys.sorted().first(where: { !known.contains($0) }) {
            throw ConfigError("\"\(reader.context).\(unknown)\" is not a probe setting; use \(known.sorted().joined(separator: ", "))")
        }
        var settings = ProbeSettings()
        settings.vnetAddress = try reader.address("vnetAddress")
        settings.internetAddress = try reader.address("internetAddress")
        if let value = reader.object["timeoutSeconds"], value != .null {
            guard let seconds = value.numberValue else {
                throw ConfigError("\"\(reader.context).timeoutSeconds\" must be a number of seconds", details: "found \(value.typeName)")
            }
            try validate(timeout: seconds, name: "\"\(reader.context).timeoutSeconds\"")
            settings.timeoutSeconds = seconds
        }
        if let name = try reader.string("dnsName") {
            try validate(dnsName: name, name: "\"\(reader.context).dnsName\"")
            settings.dnsName = name
        }
        return settings
    }

    public static func validate(timeout seconds: Double, name: String) throws(ConfigError) {
        guard seconds.isFinite, timeoutRange.contains(seconds) else {
            throw ConfigError("\(name) is \(seconds); it must be between \(timeoutRange.lowerBound) and \(timeoutRange.upperBound) seconds")
        }
    }

    /// A name a DNS query can carry: dot-separated labels of 1 to 63 bytes, 253 bytes in all ("." alone: the root).
    public static func validate(dnsName text: String, name: String) throws(ConfigError) {
        guard DNSQuestion.labels(of: text) != nil else {
            throw ConfigError("\(name) is \"\(text)\", which is not a DNS name (labels of 1-63 letters, digits, '-' or '_')")
        }
    }
}
