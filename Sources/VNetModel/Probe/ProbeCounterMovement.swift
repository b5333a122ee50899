/// The counters one hop moved: the pod's SNAT packets (vnet's per-pod counter in the NAT table) and the
/// packets through the pod's host veth. Read before and after the hop, so an operator sees where the probe's
/// packets went: out of the pod (veth rx), through SNAT, and back to the pod (veth tx). nil: not readable
/// (for SNAT: vnet's table or the pod's element is missing).
public struct ProbeCounterMovement: Hashable, Sendable {
    public var snatPackets: UInt64?
    /// Packets the host veth received from the pod.
    public var vethRxPackets: UInt64?
    /// Packets the host veth sent to the pod.
    public var vethTxPackets: UInt64?

    public init(snatPackets: UInt64? = nil, vethRxPackets: UInt64? = nil, vethTxPackets: UInt64? = nil) {
        self.snatPackets = snatPackets
        self.vethRxPackets = vethRxPackets
        self.vethTxPackets = vethTxPackets
    }

    /// The difference between two readings of the same counters (nil where either is missing; a counter
    /// that went back, as a rebuilt table's does, counts from zero).
    public init(before: ProbeCounterReading, after: ProbeCounterReading) {
        func delta(_ a: UInt64?, _ b: UInt64?) -> UInt64? {
            guard let a, let b else { return nil }
            return b >= a ? b - a : b
        }
        snatPackets = delta(before.snatPackets, after.snatPackets)
        vethRxPackets = delta(before.vethRxPackets, after.vethRxPackets)
        vethTxPackets = delta(before.vethTxPackets, after.vethTxPackets)
    }

    /// Whether the SNAT rule translated any of the hop's packets.
    public var snatMoved: Bool { (snatPackets ?? 0) > 0 }

    /// "snat +1  veth rx +1 tx +1"; "-" for an unreadable counter.
    public var text: String {
        func show(_ value: UInt64?) -> String { value.map { "+\($0)" } ?? "-" }
        return "snat \(show(snatPackets))  veth rx \(show(vethRxPackets)) tx \(show(vethTxPackets))"
    }
}
