/// A `vnet` pool as the node sees it: the blocks vnetd claimed for it and the warm target it keeps, for the
/// console's pool line and gauge.
public struct BlockPoolView: Codable, Hashable, Sendable {
    public var subnet: IPv4Prefix
    public var blocks: [IPv4Prefix]
    public var blockSize: Int
    /// Usable addresses of the claimed blocks (what counts against the VNet's limit).
    public var claimed: Int
    /// Free addresses vnetd keeps claimed ahead of the pods.
    public var warmTarget: Int

    public init(subnet: IPv4Prefix, blocks: [IPv4Prefix], blockSize: Int, claimed: Int, warmTarget: Int) {
        self.subnet = subnet
        self.blocks = blocks
        self.blockSize = blockSize
        self.claimed = claimed
        self.warmTarget = warmTarget
    }
}
