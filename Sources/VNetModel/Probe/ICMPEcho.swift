/// ICMP echo as the probe's ping speaks it on a raw socket: the request it sends, and what a datagram that
/// came back says about it (a reply, an ICMP error quoting it, or someone else's packet). Pure bytes in,
/// facts out, so the parsing is tested without a network.
public struct ICMPEcho: Hashable, Sendable {
    public var identifier: UInt16
    public var sequence: UInt16

    public init(identifier: UInt16, sequence: UInt16) {
        self.identifier = identifier
        self.sequence = sequence
    }

    /// What a received datagram means for this echo.
    public enum Reading: Hashable, Sendable {
        /// An echo reply to this request from `from`.
        case reply(from: IPv4Address)
        /// An ICMP error from `from` quoting this request.
        case error(from: IPv4Address, reason: ICMPUnreachableReason)
        /// Not about this request (another ping's reply, other ICMP traffic in the namespace).
        case unrelated
    }

    /// The echo request (type 8) with a 16-byte payload, its checksum filled in.
    public var request: [UInt8] {
        var bytes: [UInt8] = [8, 0, 0, 0, UInt8(identifier >> 8), UInt8(identifier & 0xff), UInt8(sequence >> 8), UInt8(sequence & 0xff)]
        bytes += Array("vnet path probe.".utf8)
        let sum = Self.checksum(bytes)
        bytes[2] = UInt8(sum >> 8)
        bytes[3] = UInt8(sum & 0xff)
        return bytes
    }

    /// Reads a datagram from a raw IPv4 ICMP socket (it starts with the IP header).
    public func read(_ packet: [UInt8]) -> Reading {
        guard let (source, icmp) = Self.split(packet), icmp.count >= 8 else { return .unrelated }
        let type = icmp[0], code = icmp[1]
        if type == 0 {
            return matches(icmp[4...]) ? .reply(from: source) : .unrelated
        }
        guard type == 3 || type == 11 else { return .unrelated }
        // The error quotes the offending IP header and the first 8 bytes of our ICMP request.
        guard let (_, quoted) = Self.split(Array(icmp[8...])), quoted.count >= 8, quoted[0] == 8, matches(quoted[4...]) else {
            return .unrelated
        }
        return .error(from: source, reason: ICMPUnreachableReason(type: type, code: code))
    }

    private func matches(_ bytes: ArraySlice<UInt8>) -> Bool {
        let start = bytes.startIndex
        guard bytes.count >= 4 else { return false }
        return UInt16(bytes[start]) << 8 | UInt16(bytes[start + 1]) == identifier
            && UInt16(bytes[start + 2]) << 8 | UInt16(bytes[start + 3]) == sequence
    }

    /// The source address and the payload of an IPv4 packet.
    private static func split(_ packet: [UInt8]) -> (IPv4Address, [UInt8])? {
        guard packet.count >= 20, packet[0] >> 4 == 4 else { return nil }
        let headerLength = Int(packet[0] & 0x0f) * 4
        guard headerLength >= 20, packet.count >= headerLength else { return nil }
        let source = IPv4Address(UInt32(packet[12]) << 24 | UInt32(packet[13]) << 16 | UInt32(packet[14]) << 8 | UInt32(packet[15]))
        return (source, Array(packet[headerLength...]))
    }

    /// The Internet checksum (RFC 1071).
    public static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
