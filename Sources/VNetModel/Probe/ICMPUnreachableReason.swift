/// The ICMP errors a probe may get back, by type and code (RFC 792).
public enum ICMPUnreachableReason: Hashable, Sendable {
    case network, host, port, prohibited, timeExceeded
    case other(type: UInt8, code: UInt8)

    public init(type: UInt8, code: UInt8) {
        switch (type, code) {
        case (3, 0), (3, 6): self = .network
        case (3, 1), (3, 7): self = .host
        case (3, 3): self = .port
        case (3, 9), (3, 10), (3, 13): self = .prohibited
        case (11, _): self = .timeExceeded
        default: self = .other(type: type, code: code)
        }
    }

    public var text: String {
        switch self {
        case .network: return "network unreachable"
        case .host: return "host unreachable"
        case .port: return "port unreachable"
        case .prohibited: return "administratively prohibited"
        case .timeExceeded: return "TTL exceeded (a routing loop?)"
        case .other(let type, let code): return "ICMP type \(type) code \(code)"
        }
    }
}
