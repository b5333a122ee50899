import VNetModel

/// What `NATTable.ensure` found and did.
public enum EnsureOutcome: Hashable, Sendable, CustomStringConvertible {
    /// The table was absent (first run on this node, after a reboot, or deleted by someone) and was built.
    case created
    /// Everything was as it should be; nothing was sent to the kernel.
    case unchanged
    /// The table differed (rules changed or missing, chain flushed, configuration changed) and was rebuilt
    /// in one transaction. The reason lists every difference found.
    case repaired(reason: String)
    /// The rules were right but the pod sets did not hold exactly the given pods; elements were added and
    /// removed in one transaction.
    case podsReconciled(added: [IPv4Address], removed: [IPv4Address])

    public var description: String {
        switch self {
        case .created: return "created"
        case .unchanged: return "unchanged"
        case .repaired(let reason): return "repaired: \(reason)"
        case .podsReconciled(let added, let removed):
            return "pods reconciled: added \(added.map(\.description)), removed \(removed.map(\.description))"
        }
    }
}
