#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// Answers "is there a network namespace at this path?" for a long-running process that asks about the same
/// paths again and again (the console asks about every endpoint's on every refresh).
///
/// Why: the full check (`NetworkNamespace.isNetworkNamespace`) opens the file, asks the kernel twice what it
/// is and closes it, five system calls, so 250 endpoints cost 1,250 per refresh, most of an idle console's
/// CPU. A path that held a namespace is remembered with the namespace file's identity (device and inode);
/// asking again is one `stat`, and only a path whose identity changed (or that is new) gets the full check.
/// A namespace deleted from its path fails the `stat`, and another file put there has another identity.
public final class NamespaceLiveness: Sendable {
    private let known = Mutex<[String: NetworkNamespace.Identity]>([:])
    /// Bounds what a process that sees many short-lived pods remembers.
    private static let limit = 65_536

    public init() {}

    public func isAlive(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else {
            forget(path)
            return false
        }
        let seen = NetworkNamespace.Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        if known.withLock({ $0[path] }) == seen { return true }
        guard let namespace = try? NetworkNamespace(path: path), namespace.identity == seen else {
            forget(path)
            return false
        }
        known.withLock { paths in
            if paths.count >= Self.limit { paths.removeAll(keepingCapacity: true) }
            paths[path] = seen
        }
        return true
    }

    private func forget(_ path: String) {
        _ = known.withLock { $0.removeValue(forKey: path) }
    }
}
