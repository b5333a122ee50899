/// A MAC address as the metadata services spell it: twelve upper-case hex digits, no separators.
///
/// The wireserver writes "002248263DBD", IMDS "000D3AF806EC", operators copy "00:22:48:26:3d:bd" from
/// `ip link`: normalising all of them to one spelling makes the interface choice a plain comparison.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    /// Twelve upper-case hex digits.
    public let hex: String

    /// Accepts twelve hex digits in either case, optionally separated by ":", "-" or "." (any grouping).
    public init?(_ text: some StringProtocol) {
        var digits: [UInt8] = []
        digits.reserveCapacity(12)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "F"):
                digits.append(byte)
            case UInt8(ascii: "a")...UInt8(ascii: "f"):
                digits.append(byte - 32)
            case UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "."):
                continue
            default:
                return nil
            }
            if digits.count > 12 { return nil }
        }
        guard digits.count == 12 else { return nil }
        hex = String(decoding: digits, as: UTF8.self)
    }

    public var description: String { hex }
}
