#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import VNetModel

/// The last document this process read or committed, keyed by the file's identity (inode, size, mtime).
///
/// Every commit renames a new inode into place, so an unchanged identity means an unchanged document: a
/// verb that loads the state twice (outside and inside the lock), or a console refreshing an idle node,
/// decodes it once.
final class DocumentCache: Sendable {
    struct Identity: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    private let entry = Mutex<(identity: Identity, state: NetworkState)?>(nil)

    static func identity(of path: String) -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                        modifiedSeconds: info.st_mtim.tv_sec, modifiedNanoseconds: info.st_mtim.tv_nsec)
    }

    func lookup(_ identity: Identity) -> NetworkState? {
        entry.withLock { cached in cached?.identity == identity ? cached?.state : nil }
    }

    func store(_ state: NetworkState, identity: Identity?) {
        entry.withLock { cached in cached = identity.map { ($0, state) } }
    }
}
