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
