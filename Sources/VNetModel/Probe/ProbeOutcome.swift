/// How one hop ended: answered, failed (and why), or not run (and why).
public enum ProbeOutcome: Hashable, Sendable {
    case pass
    case fail(ProbeFailure)
    case skipped(ProbeSkipReason)

    /// "pass", "fail" or "skipped": the JSON contract's `outcome`.
    public var name: String {
        switch self {
        case .pass: return "pass"
        case .fail: return "fail"
        case .skipped: return "skipped"
        }
    }

    public var failed: Bool {
        if case .fail = self { return true }
        return false
    }
}
