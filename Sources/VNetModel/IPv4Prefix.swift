/// An IPv4 prefix in CIDR notation ("10.240.0.0/16"), or an interface address with its prefix length
/// ("10.240.0.7/16") when `address` has host bits set.
public struct IPv4Prefix: Hashable, Sendable {
    public var address: IPv4Address
    public var length: Int

    public init(address: IPv4Address, length: Int) {
        precondition((0...32).contains(length), "prefix length out of range")
        self.address = address
        self.length = length
    }

    /// Parses "a.b.c.d/len". Host bits are kept: use `network` for the canonical prefix.
    public init?(_ text: some StringProtocol) {
        guard let slash = text.firstIndex(of: "/"),
              let address = IPv4Address(text[text.startIndex..<slash]) else { return nil }
        let lengthText = text[text.index(after: slash)...]
        guard !lengthText.isEmpty, lengthText.count <= 2, lengthText.allSatisfy(\.isASCII),
              let length = Int(lengthText), (0...32).contains(length) else { return nil }
        self.address = address
        self.length = length
    }

    public var mask: UInt32 { length == 0 ? 0 : UInt32.max << UInt32(32 - length) }
    public var network: IPv4Address { IPv4Address(address.value & mask) }
    public var broadcast: IPv4Address { IPv4Address(address.value | ~mask) }
    /// The prefix with host bits cleared.
    public var canonical: IPv4Prefix { IPv4Prefix(address: network, length: length) }
    /// How many addresses the prefix spans.
    public var size: UInt64 { UInt64(1) << UInt64(32 - length) }

    public func contains(_ other: IPv4Address) -> Bool { other.value & mask == network.value }

    public func contains(_ other: IPv4Prefix) -> Bool { other.length >= length && contains(other.network) }

    public func overlaps(_ other: IPv4Prefix) -> Bool { contains(other.network) || other.contains(network) }

    /// The first usable address, which Azure-style VNets use as the subnet's gateway.
    public var firstHost: IPv4Address { IPv4Address(network.value &+ (length >= 31 ? 0 : 1)) }
}

extension IPv4Prefix: CustomStringConvertible {
    public var description: String { "\(address)/\(length)" }
}

extension IPv4Prefix: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let prefix = IPv4Prefix(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid IPv4 prefix \"\(text)\"")
        }
        self = prefix
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
