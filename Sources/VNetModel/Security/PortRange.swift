/// A range of ports a rule matches: `*`, `80` or `8000-8100`.
public struct PortRange: Hashable, Sendable, CustomStringConvertible {
    public var lower: UInt16
    public var upper: UInt16

    public static let any = PortRange(lower: 0, upper: 65535)

    public init(lower: UInt16, upper: UInt16) {
        self.lower = lower
        self.upper = upper
    }

    /// nil for anything but `*`, a port 0-65535, or `low-high` with low <= high.
    public init?(_ text: String) {
        if text == "*" {
            self = .any
            return
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 5 && $0.allSatisfy(\.isASCII) }),
              let low = UInt16(parts[0]), let high = UInt16(parts[parts.count - 1]), low <= high else { return nil }
        lower = low
        upper = high
    }

    public var isAny: Bool { self == .any }

    public func contains(_ port: UInt16) -> Bool { lower <= port && port <= upper }

    public var description: String {
        if isAny { return "*" }
        return lower == upper ? "\(lower)" : "\(lower)-\(upper)"
    }
}
