#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization
import VNetModel

/// Answers "is there a network namespace at this path?" for a long-running process that asks about the same
/// paths again and again (the console asks about every endpoint's on every refresh).
///
/// Why: the full check (`NetworkNamespace.isNetworkNamespace`) opens the file, asks the kernel twice what it
/// is and closes it, five system calls, so 250 endpoints cost 1,250 per refresh, most of an idle console's
/// CPU. A path that held a namespace is remembered with the namespace file's identity (device and inode);
/// asking again is one `stat`, and only a path whose identity changed (or that is new) gets the full check.
/// A namespace deleted from its path fails the `stat`, and another file put there has another identity.
///
/// A `survey` (one console refresh) goes further: a path confirmed moments ago whose directory has not
/// changed since is taken as alive without its `stat`. One `stat` of `/var/run/netns` then stands for all
/// 250 namespaces in it, where 250 path lookups had been a tenth of an idle console's CPU.
public final class NamespaceLiveness: Sendable {
    /// What is known of a path that held a namespace: its identity, and when and in which state of its
    /// directory that was last confirmed.
    private struct Known {
        var identity: NetworkNamespace.Identity
        var directory: DirectoryStamp?
        var confirmedAt: Double
    }

    private let known = Mutex<[String: Known]>([:])
    /// Bounds what a process that sees many short-lived pods remembers.
    private static let limit = 65_536
    /// How long a survey may take a path for alive without a `stat` of its own while its directory stays
    /// unchanged: the bound on noticing a namespace unmounted but left in place (which changes its path's
    /// identity but not its directory).
    public static let recheckSeconds = 10.0

    public init() {}

    /// The full answer: one `stat`, and the namespace checks for a path not seen with that identity before.
    public func status(_ path: String) -> NamespacePath { confirm(path, directory: nil) }

    /// Whether `path` holds a network namespace from here (what entering it needs).
    public func isAlive(_ path: String) -> Bool { status(path) == .namespace }

    /// A check for many paths at one moment (a console refresh): each directory is looked at once, and a path
    /// confirmed within `recheckSeconds` in a directory that has not changed since is not looked at again.
    /// Deleting a namespace (`ip netns delete`, a runtime's teardown) unlinks its file, which changes the
    /// directory: the next survey sees it.
    public func survey() -> (String) -> NamespacePath {
        let now = MonotonicClock.seconds()
        var stamps: [String: DirectoryStamp?] = [:]
        return { [self] path in
            let directory = Self.directory(of: path)
            let stamp: DirectoryStamp?
            if let seen = stamps[directory] {
                stamp = seen
            } else {
                stamp = DirectoryStamp(directory)
                stamps[directory] = stamp
            }
            if let stamp, let entry = known.withLock({ $0[path] }), entry.directory == stamp,
               now - entry.confirmedAt < Self.recheckSeconds {
                return .namespace
            }
            return confirm(path, directory: stamp, at: now)
        }
    }

    private func confirm(_ path: String, directory: DirectoryStamp?, at now: Double = MonotonicClock.seconds()) -> NamespacePath {
        var info = stat()
        guard stat(path, &info) == 0 else {
            forget(path)
            return errno == ENOENT || errno == ENOTDIR ? .missing : .notNamespace
        }
        let seen = NetworkNamespace.Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        if known.withLock({ $0[path]?.identity }) != seen {
            do {
                // Replaced between the `stat` and the open: this refresh cannot tell, the next one will.
                guard try NetworkNamespace(path: path).identity == seen else {
                    forget(path)
                    return .notNamespace
                }
            } catch {
                forget(path)
                return error.reason == .open && error.errno == ENOENT ? .missing : .notNamespace
            }
        }
        known.withLock { paths in
            if paths.count >= Self.limit { paths.removeAll(keepingCapacity: true) }
            paths[path] = Known(identity: seen, directory: directory, confirmedAt: now)
        }
        return .namespace
    }

    private func forget(_ path: String) {
        _ = known.withLock { $0.removeValue(forKey: path) }
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return slash == path.utf8.startIndex ? "/" : String(path[..<slash])
    }
}

/// A directory's state as `stat` shows it: any entry added, removed or renamed changes its modification and
/// change times (nanoseconds on tmpfs, where /var/run/netns lives).
struct DirectoryStamp: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64
    let modified: Int64
    let changed: Int64

    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        modified = Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_ctim.tv_nsec)
    }
}
