#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Changes to a node need root; reading does not.
public enum Privilege {
    public struct NotRoot: Error, CustomStringConvertible, Sendable {
        public var action: String
        public var description: String { "\(action) changes the node and needs root" }
    }

    public static var isRoot: Bool { geteuid() == 0 }

    public static func requireRoot(_ action: String) throws(NotRoot) {
        guard isRoot else { throw NotRoot(action: action) }
    }
}
