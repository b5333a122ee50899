import VNetModel

/// Where the console's data comes from. The console never collects anything itself: the operations
/// layer (or a fake in tests) answers this on every refresh.
public protocol SnapshotSource {
    func snapshot() throws -> NodeSnapshot
    /// The network's security rules with their counters, read on every refresh after the snapshot; nil when
    /// the network has no `securityRules` (then nothing should be read at all). Errors reading the counters
    /// belong in the reading (`counterError`), so the rules still show.
    func securityReading() -> SecurityReading?
}

extension SnapshotSource {
    /// A source that knows nothing of security rules shows the network as unfiltered.
    public func securityReading() -> SecurityReading? { nil }
}

/// A source that always answers the same snapshot (or error); for `--once` with a snapshot already
/// taken, demos and tests.
public struct FixedSnapshotSource: SnapshotSource {
    public var result: Result<NodeSnapshot, any Error>
    public var security: SecurityReading?

    public init(_ snapshot: NodeSnapshot, security: SecurityReading? = nil) {
        result = .success(snapshot)
        self.security = security
    }
    public init(error: any Error) { result = .failure(error) }

    public func snapshot() throws -> NodeSnapshot { try result.get() }
    public func securityReading() -> SecurityReading? { security }
}
