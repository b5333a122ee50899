/// A colour as themes write it: "#RRGGBB", or "default" for the terminal's own foreground or background
/// (what the monochrome theme uses everywhere).
public enum ThemeColor: Hashable, Sendable, CustomStringConvertible {
    case terminalDefault
    case rgb(UInt8, UInt8, UInt8)

    /// Parses "#RRGGBB" (case-insensitive) or "default".
    public init?(_ text: some StringProtocol) {
        if text.lowercased() == "default" { self = .terminalDefault; return }
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[0] == UInt8(ascii: "#") else { return nil }
        var value: UInt32 = 0
        for byte in bytes[1...] {
            guard let digit = Self.hexValue(byte) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        self = .rgb(UInt8(value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value))
    }

    public var description: String {
        switch self {
        case .terminalDefault: return "default"
        case let .rgb(r, g, b):
            let hex = String(UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b), radix: 16, uppercase: true)
            return "#" + String(repeating: "0", count: 6 - hex.count) + hex
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
