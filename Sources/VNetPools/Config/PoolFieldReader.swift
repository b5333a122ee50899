import VNetModel

/// Typed reads of one JSON object's keys with errors that name the key and show the bad value.
///
/// Used for the `pool` object and for pool files, whose messages differ only in how a key is named
/// ("pool.subnet" or "subnet in /etc/vnet/pool.json").
struct PoolFieldReader {
    let object: [String: JSONValue]
    /// Spells a key for messages.
    let name: (String) -> String

    init(_ object: [String: JSONValue], name: @escaping (String) -> String) {
        self.object = object
        self.name = name
    }

    func fail(_ key: String, _ text: String) -> PoolConfigError {
        PoolConfigError(key: name(key), message: "\(name(key)) \(text)")
    }

    private func mismatch(_ key: String, _ value: JSONValue, _ expected: String) -> PoolConfigError {
        fail(key, "must be \(expected), found \(Self.show(value))")
    }

    func string(_ key: String) throws(PoolConfigError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw mismatch(key, value, "a string") }
        return text
    }

    func requiredString(_ key: String, for purpose: String) throws(PoolConfigError) -> String {
        guard let text = try string(key) else { throw fail(key, "is missing (required for \(purpose))") }
        return text
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(PoolConfigError) -> Int? {
        guard let value = object[key], value != .null else { return nil }
        guard let number = value.intValue else { throw mismatch(key, value, "a whole number") }
        guard range.contains(number) else {
            throw fail(key, "\(number) is out of range (\(range.lowerBound)...\(range.upperBound))")
        }
        return number
    }

    func prefix(_ key: String, for purpose: String) throws(PoolConfigError) -> IPv4Prefix {
        let text = try requiredString(key, for: purpose)
        guard let prefix = IPv4Prefix(text) else { throw fail(key, "\"\(text)\" is not a valid IPv4 prefix (a.b.c.d/len)") }
        return prefix.canonical
    }

    func address(_ key: String) throws(PoolConfigError) -> IPv4Address? {
        guard let text = try string(key) else { return nil }
        guard let address = IPv4Address(text) else { throw fail(key, "\"\(text)\" is not a valid IPv4 address") }
        return address
    }

    /// A list of addresses, ranges ("a-b") or prefixes ("a/len"), each checked.
    func ranges(_ key: String) throws(PoolConfigError) -> [String]? {
        guard let value = object[key], value != .null else { return nil }
        guard let items = value.arrayValue else { throw mismatch(key, value, "an array of strings") }
        var result: [String] = []
        for (position, item) in items.enumerated() {
            let itemKey = "\(key)[\(position)]"
            guard let text = item.stringValue else { throw mismatch(itemKey, item, "a string") }
            guard AddressRange(text) != nil else {
                throw fail(itemKey, "\"\(text)\" is not an address, a range (a-b, first <= last) or a prefix (a/len)")
            }
            result.append(text)
        }
        return result
    }

    func strings(_ key: String) throws(PoolConfigError) -> [String]? {
        guard let value = object[key], value != .null else { return nil }
        guard let items = value.arrayValue else { throw mismatch(key, value, "an array of strings") }
        var result: [String] = []
        for (position, item) in items.enumerated() {
            guard let text = item.stringValue else { throw mismatch("\(key)[\(position)]", item, "a string") }
            result.append(text)
        }
        return result
    }

    /// The CNI result's DNS object: nameservers, domain, search, options.
    func dns(_ key: String) throws(PoolConfigError) -> DNSSettings? {
        guard let value = object[key], value != .null else { return nil }
        guard let inner = value.objectValue else { throw mismatch(key, value, "an object") }
        let reader = PoolFieldReader(inner) { [name] in name("\(key).\($0)") }
        return DNSSettings(nameservers: try reader.strings("nameservers"), domain: try reader.string("domain"),
                           search: try reader.strings("search"), options: try reader.strings("options"))
    }

    /// The static fields: subnet, gateway, addresses, exclude, dns, and optionally primaryAddresses (the
    /// node's own addresses, which a node agent writing a pool file may list).
    func staticFields(for purpose: String) throws(PoolConfigError) -> PoolDefinition {
        let subnet = try prefix("subnet", for: purpose)
        guard let addresses = try ranges("addresses") else { throw fail("addresses", "is missing (required for \(purpose))") }
        var primaries: [IPv4Address]?
        if let texts = try strings("primaryAddresses") {
            primaries = []
            for (position, text) in texts.enumerated() {
                guard let address = IPv4Address(text) else {
                    throw fail("primaryAddresses[\(position)]", "\"\(text)\" is not a valid IPv4 address")
                }
                primaries?.append(address)
            }
        }
        return PoolDefinition(subnet: subnet, gateway: try address("gateway"), addresses: addresses,
                              exclude: try ranges("exclude"), dns: try dns("dns"), primaryAddresses: primaries)
    }

    /// A value as it appeared, shortened, for messages.
    static func show(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return "\"\(text.count > 60 ? text.prefix(60) + "..." : text)\""
        case .number(let number): return number.rounded() == number && abs(number) < 9e15 ? String(Int(number)) : String(number)
        case .bool(let flag): return String(flag)
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
