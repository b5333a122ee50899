/// The pod's neighbour (ARP) entry for its gateway, as the kernel's NUD state says. A gateway without a
/// resolved entry means the pod's ARP went unanswered: the node's proxy ARP on the bridge is what answers it.
public enum NeighbourState: String, Hashable, Sendable {
    case reachable, stale, delay, probe, incomplete, failed, noarp, permanent

    /// From the kernel's NUD_* bits (the strongest one wins).
    public init?(nudBits: UInt16) {
        switch nudBits {
        case _ where nudBits & 0x80 != 0: self = .permanent
        case _ where nudBits & 0x02 != 0: self = .reachable
        case _ where nudBits & 0x04 != 0: self = .stale
        case _ where nudBits & 0x08 != 0: self = .delay
        case _ where nudBits & 0x10 != 0: self = .probe
        case _ where nudBits & 0x01 != 0: self = .incomplete
        case _ where nudBits & 0x20 != 0: self = .failed
        case _ where nudBits & 0x40 != 0: self = .noarp
        default: return nil
        }
    }

    /// Whether the entry holds a MAC address the pod can send to.
    public var resolved: Bool {
        switch self {
        case .reachable, .stale, .delay, .probe, .permanent, .noarp: return true
        case .incomplete, .failed: return false
        }
    }
}

/// The pod's neighbour entry for an address: its state and MAC, or none at all.
public struct NeighbourEntry: Hashable, Sendable {
    public var state: NeighbourState?
    public var mac: String

    public init(state: NeighbourState?, mac: String) {
        self.state = state
        self.mac = mac
    }

    public var text: String {
        guard let state else { return "neighbour entry in no known state" }
        return state.resolved ? "neighbour \(state.rawValue.uppercased()) \(mac)" : "neighbour entry \(state.rawValue.uppercased())"
    }
}
