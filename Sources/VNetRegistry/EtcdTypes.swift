import VNetModel

/// One key as etcd holds it at a revision.
public struct KeyValue: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]
    public var createRevision: Int64
    public var modRevision: Int64
    /// How many times the key was written since it was created (0: it does not exist).
    public var version: Int64
    public var lease: Int64
}

/// What a range read returned, and the store's revision at that read.
public struct RangeResult: Sendable {
    public var revision: Int64
    public var kvs: [KeyValue]

    public init(revision: Int64, kvs: [KeyValue]) {
        self.revision = revision
        self.kvs = kvs
    }

    public func value(of key: String) -> KeyValue? { kvs.first { $0.key == key } }
}

/// A condition of a transaction, on one key.
public enum Compare: Sendable, Hashable {
    /// The key's last write was at `revision` (0: the key does not exist).
    case modRevision(String, equals: Int64)
    /// The key was written `version` times since it was created (0: it does not exist).
    case version(String, equals: Int64)
    /// The key is attached to `lease` (0: to none): "delete the mark only if it is still mine".
    case leaseOf(String, equals: Int64)
}

/// A request inside a transaction.
public enum TxnOp: Sendable, Hashable {
    case put(String, [UInt8], lease: Int64? = nil)
    case delete(String)
    case range(String, prefix: Bool = false)
}

/// What a transaction did: whether its compares held (and so which branch ran), the revision after it, and
/// the ranges its branch read, in order.
public struct TxnResult: Sendable {
    public var succeeded: Bool
    public var revision: Int64
    public var ranges: [RangeResult]
}

/// One member's view, from `maintenance/status`.
public struct MemberStatus: Sendable, Hashable {
    public var endpoint: String
    public var memberID: String
    public var leader: String
    public var revision: Int64
    public var isLeader: Bool { memberID == leader }
}

/// Why a registry call failed.
public enum RegistryError: Error, Sendable, CustomStringConvertible {
    /// No endpoint answered (the last one's error is kept).
    case unreachable(endpoints: [String], lastError: String)
    /// etcd answered with an error.
    case refused(endpoint: String, status: Int, message: String)
    /// etcd answered something that is not its JSON.
    case malformed(endpoint: String, detail: String)

    public var description: String {
        switch self {
        case .unreachable(let endpoints, let last): return "registry unreachable at \(endpoints.joined(separator: ",")): \(last)"
        case .refused(let endpoint, let status, let message): return "registry \(endpoint) refused (HTTP \(status)): \(message)"
        case .malformed(let endpoint, let detail): return "registry \(endpoint) answered malformed JSON: \(detail)"
        }
    }

    /// Whether another endpoint, or a retry, may succeed.
    public var isTransient: Bool {
        switch self {
        case .unreachable: return true
        case .refused(_, let status, let message): return status >= 500 || message.contains("leader") || message.contains("timed out")
        case .malformed: return false
        }
    }
}
