import VNetModel

/// Where the console's view of the whole VNet comes from: the registry, read by the VNet's agent (or a fake
/// in tests). A node without a registry has no source, and the console then shows this node alone, as it
/// did before the VNet had a registry.
///
/// Synchronous from the console's side, like `SnapshotSource`: the front end blocks on the registry call,
/// and the console asks at most once per refresh interval, so a slow registry slows refreshes, never keys.
public protocol VNetSource {
    /// This node's name in the registry, so its row and its part of the VNet gauge can be marked.
    var thisNode: String { get }
    /// The VNet as the registry holds it now; throws when the registry cannot be read. The console keeps
    /// the last view it got and shows it marked STALE while this throws.
    func vnetStatus() throws -> VNetStatus
}

/// A source that always answers the same view (or error); for demos and tests.
public struct FixedVNetSource: VNetSource {
    public var thisNode: String
    public var result: Result<VNetStatus, any Error>

    public init(thisNode: String, _ status: VNetStatus) {
        self.thisNode = thisNode
        result = .success(status)
    }

    public init(thisNode: String, error: any Error) {
        self.thisNode = thisNode
        result = .failure(error)
    }

    public func vnetStatus() throws -> VNetStatus { try result.get() }
}
