/// An IPv4 address as a 32-bit number in host order.
///
/// Kept as a plain integer so pools, ranges and allocation are arithmetic, and so the type is trivially
/// `Sendable`, `Hashable` and cheap to store in sets of 16,000 entries.
public struct IPv4Address: Hashable, Comparable, Sendable {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad notation strictly: four decimal octets, no leading zeros beyond "0", no spaces.
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        guard let parsed = text.withUTF8({ IPv4Address(utf8: $0) }) else { return nil }
        self = parsed
    }

    /// `init?(_:)` on UTF-8 bytes, for readers that have bytes and no `String`.
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        var value: UInt32 = 0
        var octetCount = 0
        var current: UInt32 = 0
        var digits = 0
        var leadingZero = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if digits == 1 && leadingZero { return nil }
                if digits == 0 && byte == UInt8(ascii: "0") { leadingZero = true }
                current = current * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                if digits > 3 || current > 255 { return nil }
            case UInt8(ascii: "."):
                if digits == 0 || octetCount == 3 { return nil }
                value = value << 8 | current
                octetCount += 1
                current = 0; digits = 0; leadingZero = false
            default:
                return nil
            }
        }
        if digits == 0 || octetCount != 3 { return nil }
        self.value = value << 8 | current
    }

    /// The four octets, most significant first (network order).
    public var octets: (UInt8, UInt8, UInt8, UInt8) {
        (UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value))
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

    /// The next address, or nil past 255.255.255.255.
    public var successor: IPv4Address? { value == .max ? nil : IPv4Address(value + 1) }
}

extension IPv4Address: CustomStringConvertible {
    public var description: String {
        var bytes: [UInt8] = []
        append(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the dotted quad to `out` without making a `String` (the state writer's hot path).
    public func append(to out: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) {
            let octet = UInt8(truncatingIfNeeded: value >> UInt32(shift))
            if octet >= 100 { out.append(UInt8(ascii: "0") + octet / 100) }
            if octet >= 10 { out.append(UInt8(ascii: "0") + octet / 10 % 10) }
            out.append(UInt8(ascii: "0") + octet % 10)
            if shift > 0 { out.append(UInt8(ascii: ".")) }
        }
    }
}

extension IPv4Address: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let address = IPv4Address(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid IPv4 address \"\(text)\"")
        }
        self = address
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
