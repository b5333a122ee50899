extension PortMapping {
    /// Reads `runtimeConfig.portMappings` as runtimes send it for the `portMappings` capability (CNI
    /// conventions): `hostPort`, `containerPort` (1-65535), `protocol` ("tcp" or "udp", any case, default
    /// tcp) and an optional `hostIP` ("" and "0.0.0.0" mean every address of the node; an IPv6 entry is
    /// skipped, as the pool is IPv4). A bad entry is refused (code 7) naming the entry and the key.
    public static func parse(_ value: JSONValue?) throws(ConfigError) -> [PortMapping] {
        guard let value, value != .null else { return [] }
        guard let items = value.arrayValue else { throw ConfigError("\"runtimeConfig.portMappings\" must be an array") }
        var result: [PortMapping] = []
        for (index, item) in items.enumerated() {
            let label = "runtimeConfig.portMappings[\(index)]"
            guard case .object(let object) = item else { throw ConfigError("\(label) must be an object") }
            func port(_ key: String) throws(ConfigError) -> UInt16 {
                guard let number = object[key]?.numberValue, number == number.rounded(), number >= 1, number <= 65_535 else {
                    throw ConfigError("\(label): \"\(key)\" must be a port from 1 to 65535")
                }
                return UInt16(number)
            }
            let hostPort = try port("hostPort"), containerPort = try port("containerPort")
            var transport = Transport.tcp
            if let text = object["protocol"], text != .null {
                guard let name = text.stringValue, let parsed = Transport(rawValue: name.lowercased()) else {
                    throw ConfigError("\(label): \"protocol\" must be \"tcp\" or \"udp\"")
                }
                transport = parsed
            }
            var hostIP: IPv4Address?
            if let text = object["hostIP"], text != .null {
                guard let string = text.stringValue else { throw ConfigError("\(label): \"hostIP\" must be an address") }
                if string.contains(":") { continue }
                if !string.isEmpty {
                    guard let address = IPv4Address(string) else { throw ConfigError("\(label): \"hostIP\" \"\(string)\" is not an IPv4 address") }
                    hostIP = address == IPv4Address(0) ? nil : address
                }
            }
            let mapping = PortMapping(hostPort: hostPort, containerPort: containerPort, transport: transport, hostIP: hostIP)
            // A runtime may list one mapping twice (podman does for -p on IPv4 and IPv6): keep one.
            if !result.contains(mapping) { result.append(mapping) }
        }
        return result
    }
}
