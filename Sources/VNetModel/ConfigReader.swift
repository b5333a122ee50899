/// A configuration value that cannot be used; the CNI front ends report it as code 7.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var details: String

    public init(_ message: String, details: String = "") {
        self.message = message
        self.details = details
    }

    public var description: String { details.isEmpty ? message : "\(message): \(details)" }
}

/// Typed reads of configuration keys, with errors that name the key and the bad value.
public struct ConfigReader: Sendable {
    public let object: [String: JSONValue]
    /// Where the keys live, for messages ("ipam", "ipam.pool").
    public let context: String

    public init(_ object: [String: JSONValue], context: String = "") {
        self.object = object
        self.context = context
    }

    func name(_ key: String) -> String { context.isEmpty ? key : "\(context).\(key)" }

    public func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard let string = value.stringValue else { throw mismatch(key, value, "a string") }
        return string
    }

    public func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = object[key], value != .null else { return nil }
        guard let bool = value.boolValue else { throw mismatch(key, value, "true or false") }
        return bool
    }

    public func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = object[key], value != .null else { return nil }
        guard let int = value.intValue else { throw mismatch(key, value, "a whole number") }
        guard range.contains(int) else {
            throw ConfigError("\"\(name(key))\" is \(int); it must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return int
    }

    public func strings(_ key: String) throws(ConfigError) -> [String]? {
        guard let value = object[key], value != .null else { return nil }
        guard let array = value.arrayValue else { throw mismatch(key, value, "an array of strings") }
        var result: [String] = []
        for item in array {
            guard let string = item.stringValue else { throw mismatch(key, value, "an array of strings") }
            result.append(string)
        }
        return result
    }

    public func prefixes(_ key: String) throws(ConfigError) -> [IPv4Prefix]? {
        guard let texts = try strings(key) else { return nil }
        var result: [IPv4Prefix] = []
        for text in texts {
            guard let prefix = IPv4Prefix(text) else {
                throw ConfigError("\"\(name(key))\" has \"\(text)\", which is not an IPv4 prefix (a.b.c.d/len)")
            }
            result.append(prefix.canonical)
        }
        return result
    }

    public func address(_ key: String) throws(ConfigError) -> IPv4Address? {
        guard let text = try string(key) else { return nil }
        guard let address = IPv4Address(text) else {
            throw ConfigError("\"\(name(key))\" is \"\(text)\", which is not an IPv4 address")
        }
        return address
    }

    public func object(_ key: String) throws(ConfigError) -> ConfigReader? {
        guard let value = object[key], value != .null else { return nil }
        guard let inner = value.objectValue else { throw mismatch(key, value, "an object") }
        return ConfigReader(inner, context: name(key))
    }

    func mismatch(_ key: String, _ value: JSONValue, _ expected: String) -> ConfigError {
        ConfigError("\"\(name(key))\" must be \(expected)", details: "found \(value.typeName)")
    }
}
