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
