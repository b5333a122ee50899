/// An inclusive range of IPv4 addresses, written "a.b.c.d-e.f.g.h" or as a single address.
public struct AddressRange: Hashable, Sendable {
    public var first: IPv4Address
    public var last: IPv4Address

    public init?(first: IPv4Address, last: IPv4Address) {
        guard first <= last else { return nil }
        self.first = first
        self.last = last
    }

    public init(single: IPv4Address) {
        first = single
        last = single
    }

    /// Parses "a-b", "a" or a CIDR prefix "a/len" (every address of the prefix).
    public init?(_ text: some StringProtocol) {
        let trimmed = text.trimmingASCIISpaces()
        if let dash = trimmed.firstIndex(of: "-") {
            guard let first = IPv4Address(trimmed[trimmed.startIndex..<dash].trimmingASCIISpaces()),
                  let last = IPv4Address(trimmed[trimmed.index(after: dash)...].trimmingASCIISpaces()),
                  first <= last else { return nil }
            self.first = first
            self.last = last
        } else if trimmed.contains("/") {
            guard let prefix = IPv4Prefix(trimmed) else { return nil }
            first = prefix.network
            last = prefix.broadcast
        } else {
            guard let single = IPv4Address(trimmed) else { return nil }
            first = single
            last = single
        }
    }

    public var count: UInt64 { UInt64(last.value - first.value) + 1 }

    /// The fewest ranges that hold exactly `addresses` (in any order, repeats allowed).
    public static func coalescing(_ addresses: [IPv4Address]) -> [AddressRange] {
        var ranges: [AddressRange] = []
        for address in Set(addresses).sorted() {
            if let last = ranges.last?.last, last.value != UInt32.max, last.value + 1 == address.value {
                ranges[ranges.count - 1].last = address
            } else {
                ranges.append(AddressRange(single: address))
            }
        }
        return ranges
    }

    public func contains(_ address: IPv4Address) -> Bool { first <= address && address <= last }
}

extension AddressRange: CustomStringConvertible {
    public var description: String { first == last ? first.description : "\(first)-\(last)" }
}

extension StringProtocol {
    /// The text without leading and trailing ASCII spaces and tabs.
    func trimmingASCIISpaces() -> SubSequence {
        var start = startIndex
        var end = endIndex
        while start < end, self[start] == " " || self[start] == "\t" { start = index(after: start) }
        while end > start, self[index(before: end)] == " " || self[index(before: end)] == "\t" { end = index(before: end) }
        return self[start..<end]
    }
}
