/// Reads the network config's `securityRules` into rules, refusing (code 7, naming the rule and the key)
/// anything a kernel rule could not mean exactly: nothing of a bad rule set is ever applied.
public enum SecurityRuleParser {
    static let keys: Set<String> = [
        "name", "priority", "direction", "access", "protocol", "sourceAddressPrefixes", "sourcePortRanges",
        "destinationAddressPrefixes", "destinationPortRanges", "pods", "description",
    ]

    /// The operator's rules from `value` (the `securityRules` array; nil or null is none).
    public static func parse(_ value: JSONValue?) throws(ConfigError) -> [SecurityRule] {
        guard let value, value != .null else { return [] }
        guard let array = value.arrayValue else { throw ConfigError("\"securityRules\" must be an array of rules") }
        var rules: [SecurityRule] = []
        var names: [String: Int] = [:]
        var priorities: [String: String] = [:]
        for (index, item) in array.enumerated() {
            let rule = try parseRule(item, index: index)
            if let other = names[rule.name] {
                throw ConfigError("securityRules[\(index)] \"\(rule.name)\": \"name\" is also the name of securityRules[\(other)]; names must be unique")
            }
            names[rule.name] = index
            let slot = "\(rule.direction.rawValue) \(rule.priority)"
            if let other = priorities[slot] {
                throw ConfigError("securityRules[\(index)] \"\(rule.name)\": \"priority\" \(rule.priority) is also the priority of the "
                    + "\(rule.direction.rawValue) rule \"\(other)\"; within a direction each priority decides one rule")
            }
            priorities[slot] = rule.name
            rules.append(rule)
        }
        return rules
    }

    static func parseRule(_ item: JSONValue, index: Int) throws(ConfigError) -> SecurityRule {
        guard case .object(let object) = item else { throw ConfigError("securityRules[\(index)] must be an object") }
        let label = (object["name"]?.stringValue).map { "securityRules[\(index)] \"\($0)\"" } ?? "securityRules[\(index)]"
        func fail(_ key: String, _ problem: String) -> ConfigError { ConfigError("\(label): \"\(key)\" \(problem)") }

        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw fail(unknown, "is not a rule key (known: \(keys.sorted().joined(separator: ", ")))")
        }
        guard let name = object["name"]?.stringValue, !name.isEmpty, name.utf8.count <= 80,
              name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0 != "\"" && $0 != "\\" }) else {
            throw fail("name", "must be 1-80 printable ASCII characters without spaces or quotes")
        }
        guard let priority = object["priority"]?.intValue else { throw fail("priority", "is required: a whole number from 100 to 4096") }
        guard SecurityRule.priorities.contains(priority) else { throw fail("priority", "is \(priority); it must be from 100 to 4096") }
        let direction = try choice(object["direction"], key: "direction", fail: fail, SecurityRule.Direction.init(rawValue:),
                                   allowed: "inbound or outbound")
        let access = try choice(object["access"], key: "access", fail: fail, SecurityRule.Access.init(rawValue:), allowed: "allow or deny")
        let transport = try choice(object["protocol"], key: "protocol", fail: fail, SecurityRule.TransportProtocol.init(rawValue:),
                                   allowed: "tcp, udp, icmp or *")
        let sources = try addresses(object["sourceAddressPrefixes"], key: "sourceAddressPrefixes", fail: fail)
        let destinations = try addresses(object["destinationAddressPrefixes"], key: "destinationAddressPrefixes", fail: fail)
        let sourcePorts = try ports(object["sourcePortRanges"], key: "sourcePortRanges", fail: fail)
        let destinationPorts = try ports(object["destinationPortRanges"], key: "destinationPortRanges", fail: fail)
        if transport == .icmp, let key = [("sourcePortRanges", sourcePorts), ("destinationPortRanges", destinationPorts)]
            .first(where: { !$0.1.allSatisfy(\.isAny) })?.0 {
            throw fail(key, "names ports, but icmp has none; use [\"*\"]")
        }
        var pods: [PodGlob] = []
        if let value = object["pods"], value != .null {
            guard let array = value.arrayValue else { throw fail("pods", "must be an array of namespace/name globs") }
            for entry in array {
                guard let text = entry.stringValue, let glob = PodGlob(text) else {
                    throw fail("pods", "has \(entry.compactText), which is not a namespace/name glob (such as \"web/*\")")
                }
                pods.append(glob)
            }
        }
        return SecurityRule(name: name, priority: priority, direction: direction, access: access, transport: transport,
                            sources: sources, sourcePorts: sourcePorts, destinations: destinations,
                            destinationPorts: destinationPorts, pods: pods)
    }

    static func choice<T>(_ value: JSONValue?, key: String, fail: (String, String) -> ConfigError,
                          _ make: (String) -> T?, allowed: String) throws(ConfigError) -> T {
        guard let text = value?.stringValue else { throw fail(key, "is required: \(allowed)") }
        guard let result = make(text.lowercased()) else { throw fail(key, "is \"\(text)\"; it must be \(allowed)") }
        return result
    }

    static func strings(_ value: JSONValue?, key: String, fail: (String, String) -> ConfigError) throws(ConfigError) -> [String]? {
        guard let value, value != .null else { return nil }
        guard let array = value.arrayValue, !array.isEmpty else { throw fail(key, "must be a non-empty array of strings") }
        var result: [String] = []
        for entry in array {
            guard let text = entry.stringValue else { throw fail(key, "has \(entry.compactText), which is not a string") }
            result.append(text)
        }
        return result
    }

    static func addresses(_ value: JSONValue?, key: String, fail: (String, String) -> ConfigError) throws(ConfigError) -> [AddressMatch] {
        guard let texts = try strings(value, key: key, fail: fail) else { return [.any] }
        var result: [AddressMatch] = []
        for text in texts {
            guard let match = AddressMatch(text) else {
                let looksLikeAddress = text.first.map { $0.isNumber } ?? false
                throw fail(key, looksLikeAddress
                    ? "has \"\(text)\", which is not an IPv4 address or prefix (a.b.c.d/len)"
                    : "has \"\(text)\", an unknown tag (known: VirtualNetwork, Internet, Node, *)")
            }
            result.append(match)
        }
        return result
    }

    static func ports(_ value: JSONValue?, key: String, fail: (String, String) -> ConfigError) throws(ConfigError) -> [PortRange] {
        guard let texts = try strings(value, key: key, fail: fail) else { return [.any] }
        var result: [PortRange] = []
        for text in texts {
            guard let range = PortRange(text) else {
                throw fail(key, "has \"\(text)\", which is not *, a port 0-65535 or a range low-high")
            }
            result.append(range)
        }
        return result
    }
}

extension JSONValue {
    /// The value as JSON text, for messages.
    var compactText: String { String(decoding: JSONWriter.bytes(self), as: UTF8.self) }
}
