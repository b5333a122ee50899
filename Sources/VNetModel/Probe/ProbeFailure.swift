/// Why a hop that ran got no good answer. Kept as facts, not text, so the verdict can tell "nothing came
/// back" (a drop somewhere) from "a router said no" (a missing route) and word each.
public enum ProbeFailure: Error, Hashable, Sendable {
    /// Nothing came back before the hop's timeout.
    case noReply
    /// A router sent an ICMP error back for the probe: the packet got as far as `from` (nil: the kernel
    /// reported the error on a UDP socket without saying who sent it).
    case unreachable(from: IPv4Address?, reason: ICMPUnreachableReason)
    /// The target's host said no service listens (ICMP port unreachable on the DNS query).
    case refused
    /// The pod's own stack refused to send (no route in the pod, or the interface is down): errno's text.
    case sendFailed(errno: Int32, message: String)

    public var text: String {
        switch self {
        case .noReply: return "no reply"
        case .unreachable(let from, let reason): return reason.text + (from.map { " (ICMP from \($0))" } ?? "")
        case .refused: return "refused: nothing listens there (port unreachable)"
        case .sendFailed(_, let message): return "cannot send: \(message)"
        }
    }
}
