import VNetModel

/// The `vnet` pool source: the node's addresses are blocks of one VNet subnet that vnetd claims in the
/// registry and writes as a pool document (`VNetPoolDocument`) in the network's state directory.
///
///     {"source": "vnet", "subnet": "10.240.0.0/16", "gateway": "10.240.0.1", "exclude": ["10.240.0.0/24"],
///      "blockSize": 16, "warmAddresses": 16, "blockReleaseSeconds": 300}
///
/// The plugins only read the document: which blocks are claimed is vnetd's business (docs/vnet.md).
public struct VNetPoolSpec: Hashable, Sendable {
    public static let defaultBlockSize = 16
    public static let defaultWarmAddresses = 16
    public static let defaultBlockReleaseSeconds = 300
    /// Blocks are aligned prefixes; 4 keeps a block useful after its own exclusions, 256 keeps one claim
    /// from taking more of a VNet's limit than a node is likely to need soon.
    public static let blockSizes: ClosedRange<Int> = 4...256

    public var subnet: IPv4Prefix
    public var gateway: IPv4Address
    /// Addresses per block: a power of two in `blockSizes`.
    public var blockSize: Int
    /// Free addresses the node keeps claimed ahead of its pods (0: claim only when an ADD needs one).
    public var warmAddresses: Int
    /// How long a block stays empty before it goes back to the VNet.
    public var blockReleaseSeconds: Int

    public init(subnet: IPv4Prefix, gateway: IPv4Address, blockSize: Int = VNetPoolSpec.defaultBlockSize,
                warmAddresses: Int = VNetPoolSpec.defaultWarmAddresses,
                blockReleaseSeconds: Int = VNetPoolSpec.defaultBlockReleaseSeconds) {
        self.subnet = subnet
        self.gateway = gateway
        self.blockSize = blockSize
        self.warmAddresses = warmAddresses
        self.blockReleaseSeconds = blockReleaseSeconds
    }

    /// The prefix length of one block.
    public var blockLength: Int { 32 - blockSize.trailingZeroBitCount }

    /// Reads the source's own keys; every error names the key.
    static func parse(_ reader: PoolFieldReader) throws(PoolConfigError) -> VNetPoolSpec {
        let subnet = try reader.prefix("subnet", for: "the vnet source")
        let gateway = try reader.address("gateway") ?? subnet.firstHost
        guard subnet.contains(gateway) else {
            throw reader.fail("gateway", "\(gateway) is not in the subnet \(subnet)")
        }
        let blockSize = try reader.int("blockSize", in: 1...65_536) ?? defaultBlockSize
        guard blockSizes.contains(blockSize), blockSize.nonzeroBitCount == 1 else {
            throw reader.fail("blockSize", "\(blockSize) is not a power of two between \(blockSizes.lowerBound) and \(blockSizes.upperBound)")
        }
        guard subnet.size >= UInt64(blockSize) else {
            throw reader.fail("blockSize", "\(blockSize) is larger than the subnet \(subnet)")
        }
        return VNetPoolSpec(subnet: subnet, gateway: gateway, blockSize: blockSize,
                            warmAddresses: try reader.int("warmAddresses", in: 0...65_536) ?? defaultWarmAddresses,
                            blockReleaseSeconds: try reader.int("blockReleaseSeconds", in: 0...604_800) ?? defaultBlockReleaseSeconds)
    }
}
