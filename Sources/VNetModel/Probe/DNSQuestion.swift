/// The one DNS query the probe sends (a type A question, recursion desired) and the check of an answer to
/// it. Any answer from the server counts, an error code included: the hop asks whether the server is
/// reachable, not whether the name resolves.
public struct DNSQuestion: Hashable, Sendable {
    public var id: UInt16
    public var name: String

    public init(id: UInt16, name: String) {
        self.id = id
        self.name = name
    }

    /// The labels of `name` (a trailing dot allowed; "." is the root), or nil when it is no DNS name.
    public static func labels(of name: String) -> [String]? {
        var text = Substring(name)
        if text.hasSuffix(".") { text = text.dropLast() }
        if text.isEmpty { return name == "." ? [] : nil }
        guard text.utf8.count <= 253 else { return nil }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.utf8.allSatisfy({ byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45 || byte == 95
            }) else { return nil }
        }
        return labels
    }

    /// The query datagram, or nil for a name `labels(of:)` refuses.
    public var datagram: [UInt8]? {
        guard let labels = Self.labels(of: name) else { return nil }
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in labels {
            bytes.append(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        bytes += [0, 0, 1, 0, 1]
        return bytes
    }

    /// The response code when `datagram` answers this question (same ID, the response bit set); nil otherwise.
    public func responseCode(of datagram: [UInt8]) -> UInt8? {
        guard datagram.count >= 12, UInt16(datagram[0]) << 8 | UInt16(datagram[1]) == id, datagram[2] & 0x80 != 0 else {
            return nil
        }
        return datagram[3] & 0x0f
    }
}
