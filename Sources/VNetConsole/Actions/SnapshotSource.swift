import VNetModel

/// Where the console's data comes from. The console never collects anything itself: the operations
/// layer (or a fake in tests) answers this on every refresh.
public protocol SnapshotSource {
    func snapshot() throws -> NodeSnapshot
}

/// A source that always answers the same snapshot (or error); for `--once` with a snapshot already
/// taken, demos and tests.
public struct FixedSnapshotSource: SnapshotSource {
    public var result: Result<NodeSnapshot, any Error>

    public init(_ snapshot: NodeSnapshot) { result = .success(snapshot) }
    public init(error: any Error) { result = .failure(error) }

    public func snapshot() throws -> NodeSnapshot { try result.get() }
}
