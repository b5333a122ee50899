/// One reading of the counters `ProbeCounterMovement` compares, plus whether vnet's NAT table was there.
public struct ProbeCounterReading: Hashable, Sendable {
    public var snatPackets: UInt64?
    public var vethRxPackets: UInt64?
    public var vethTxPackets: UInt64?
    public var natTablePresent: Bool

    public init(snatPackets: UInt64?, vethRxPackets: UInt64?, vethTxPackets: UInt64?, natTablePresent: Bool) {
        self.snatPackets = snatPackets
        self.vethRxPackets = vethRxPackets
        self.vethTxPackets = vethTxPackets
        self.natTablePresent = natTablePresent
    }
}
