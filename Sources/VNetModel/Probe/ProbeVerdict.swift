/// The one line that answers "where does this pod's traffic stop?": the first failed hop in the order
/// traffic meets them (`ProbeHopKind`), with the likeliest cause read from the facts the hop gathered; or
/// that every hop that ran passed.
public enum ProbeVerdict: Hashable, Sendable {
    /// Every hop that ran answered; `passed` of them, `skipped` not run.
    case clear(passed: Int, skipped: Int)
    /// Traffic stops at `hop`, for `cause`; `alsoFailed` more hops behind it failed too.
    case stops(hop: ProbeHop, cause: ProbeStopCause, alsoFailed: Int)

    public init(_ hops: [ProbeHop]) {
        let failed = hops.filter { $0.outcome.failed }
        let order = Dictionary(uniqueKeysWithValues: ProbeHopKind.allCases.enumerated().map { ($1, $0) })
        guard let first = failed.min(by: { order[$0.kind, default: 0] < order[$1.kind, default: 0] }) else {
            let skipped = hops.filter { if case .skipped = $0.outcome { return true }; return false }.count
            self = .clear(passed: hops.count - skipped, skipped: skipped)
            return
        }
        self = .stops(hop: first, cause: ProbeStopCause(first), alsoFailed: failed.count - 1)
    }

    public var passed: Bool {
        if case .clear = self { return true }
        return false
    }

    /// "internet 203.0.113.10: SNAT rule matched, no reply", or "clear: 5 hops passed (1 skipped)".
    public var text: String {
        switch self {
        case .clear(let passed, let skipped):
            let rest = skipped > 0 ? " (\(skipped) skipped)" : ""
            return "clear: \(passed) hop\(passed == 1 ? "" : "s") passed\(rest)"
        case .stops(let hop, let cause, let alsoFailed):
            let more = alsoFailed > 0 ? " (+\(alsoFailed) more failed)" : ""
            return "\(hop.target): \(cause.text)\(more)"
        }
    }
}

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
