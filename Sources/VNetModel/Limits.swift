/// The scale limits of a VNet node. The defaults are Azure's: kubelet's max-pods of 250 per node and
/// 16,000 pods per VNet.
public struct Limits: Codable, Hashable, Sendable {
    public static let defaultMaxPodsPerNode = 250
    public static let defaultMaxPodsPerVNet = 16_000

    /// Enforced on every allocation.
    public var maxPodsPerNode: Int
    /// Carried and reported; VNet-wide enforcement needs a view of other nodes.
    public var maxPodsPerVNet: Int

    public init(maxPodsPerNode: Int = Limits.defaultMaxPodsPerNode, maxPodsPerVNet: Int = Limits.defaultMaxPodsPerVNet) {
        self.maxPodsPerNode = maxPodsPerNode
        self.maxPodsPerVNet = maxPodsPerVNet
    }
}
