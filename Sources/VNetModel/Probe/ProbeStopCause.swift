/// The likeliest reason traffic stops at a failed hop, from what the hop saw.
public enum ProbeStopCause: Hashable, Sendable {
    /// Gateway: the pod never resolved the gateway's MAC, so nothing was sent to it.
    case noNeighbourEntry
    /// Internet: the probe left the pod and was translated, and nothing came back.
    case snatMatchedNoReply
    /// Internet: no SNAT rule translated the probe; `tableMissing` when vnet's table was not there.
    case noSNATRuleMatched(tableMissing: Bool)
    /// The probe never reached the node: the pod's host veth received nothing.
    case neverLeftPod
    /// A router or the target said no, or the pod could not send.
    case failure(ProbeFailure)
    /// The probe left the pod, nothing came back.
    case noReply

    init(_ hop: ProbeHop) {
        guard case .fail(let failure) = hop.outcome else {
            self = .noReply
            return
        }
        if failure != .noReply {
            self = .failure(failure)
        } else if hop.kind == .gateway, !(hop.neighbour?.state?.resolved ?? false) {
            self = .noNeighbourEntry
        } else if hop.kind == .internet, hop.moved.snatMoved {
            self = .snatMatchedNoReply
        } else if hop.kind == .internet, hop.natTablePresent == false || hop.moved.snatPackets == 0 || hop.moved.snatPackets == nil {
            self = .noSNATRuleMatched(tableMissing: hop.natTablePresent == false)
        } else if hop.moved.vethRxPackets == 0 {
            self = .neverLeftPod
        } else {
            self = .noReply
        }
    }

    public var text: String {
        switch self {
        case .noNeighbourEntry: return "no neighbour entry, no reply"
        case .snatMatchedNoReply: return "SNAT rule matched, no reply"
        case .noSNATRuleMatched(let missing):
            return missing ? "no SNAT rule matched (vnet's nat table missing?)" : "no SNAT rule matched, no reply"
        case .neverLeftPod: return "no reply; nothing reached the node (the pod's host veth received nothing)"
        case .failure(let failure): return failure.text
        case .noReply: return "no reply (the probe left the pod; nothing came back)"
        }
    }
}
