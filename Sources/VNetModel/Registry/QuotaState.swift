/// The VNet's quota as the registry holds it at one revision: the limit, the sum of the reservations, and
/// each node's reservation.
public struct QuotaState: Sendable, Hashable {
    public var limit: Int
    public var reserved: Int
    public var byNode: [String: Int]

    public init(limit: Int, reserved: Int, byNode: [String: Int]) {
        self.limit = limit
        self.reserved = reserved
        self.byNode = byNode
    }

    public var free: Int { max(0, limit - reserved) }

    /// The invariant every quota change keeps: the recorded sum is the sum of the reservations, and it is
    /// within the limit. nil when it holds, else what is wrong.
    public var violation: String? {
        let sum = byNode.values.reduce(0, +)
        if sum != reserved { return "the reservations add up to \(sum), the quota records \(reserved)" }
        if reserved > limit { return "\(reserved) reserved beyond the limit of \(limit)" }
        if let negative = byNode.first(where: { $0.value < 0 }) { return "\(negative.key) reserves \(negative.value)" }
        return nil
    }

    /// What a node asking for a reservation of `wanted` gets: at most what the VNet has left beyond the other
    /// nodes' reservations, never less than 0. Giving back (wanted below the current) is always granted.
    public func grant(node: String, wanted: Int) -> Int {
        let current = byNode[node] ?? 0
        let wanted = max(0, wanted)
        if wanted <= current { return wanted }
        return current + min(wanted - current, free)
    }
}
