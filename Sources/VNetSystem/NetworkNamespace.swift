#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CVNetSystem

/// A failure to open, validate or enter a network namespace.
public struct NamespaceError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        /// The path could not be opened (errno says why: ENOENT when the namespace is gone).
        case open
        /// The file exists but is no network namespace (a plain file, or another kind of namespace).
        case notNetworkNamespace
        /// A name for /var/run/netns that is empty or contains '/'.
        case invalidName
        /// setns(2) refused, or the thread was not where it should be afterwards.
        case enter
    }

    public var reason: Reason
    public var path: String
    public var errno: Int32

    public init(_ reason: Reason, path: String, errno: Int32) {
        self.reason = reason
        self.path = path
        self.errno = errno
    }

    public var description: String {
        let cause = String(cString: strerror(errno))
        switch reason {
        case .open: return "open network namespace \(path): \(cause) (errno \(errno))"
        case .notNetworkNamespace: return "\(path) is not a network namespace"
        case .invalidName: return "invalid network namespace name \"\(path)\""
        case .enter: return "enter network namespace \(path): \(cause) (errno \(errno))"
        }
    }
}

/// An open network namespace: a namespace file (`/var/run/netns/NAME`, `/proc/PID/ns/net`) held open,
/// so the namespace stays alive and stays the same one while we use it.
///
/// Why it is validated: CNI_NETNS comes from the runtime, and `setns` on a wrong file would silently act
/// somewhere else (or, for a mount namespace file, enter the wrong kind). Two kernel checks, through the
/// CVNetSystem shim so no constant is hard-coded: the file lives on nsfs (fstatfs magic NSFS_MAGIC), and
/// the namespace is a network one (ioctl NS_GET_NSTYPE == CLONE_NEWNET).
///
/// Threads: `setns` moves only the calling thread. `withEntered` is meant for synchronous code on one
/// thread, such as the CNI plugins' main thread (they are single-threaded command-line programs); never
/// await inside it. A netlink socket opened inside stays bound to the namespace after we leave.
public final class NetworkNamespace: Sendable {
    /// Identity of a namespace: nsfs device and inode, as `ip netns identify` compares them.
    public struct Identity: Hashable, Sendable, CustomStringConvertible {
        public var device: UInt64
        public var inode: UInt64
        public var description: String { "net:[\(inode)]" }
    }

    public let path: String
    /// The open namespace file: what IFLA_NET_NS_FD and setns(2) take. Valid as long as this object lives.
    public let fileDescriptor: Int32
    public let identity: Identity

    /// Where `ip netns add` puts named namespaces.
    public static let namedDirectory = "/var/run/netns"
    static let threadSelf = "/proc/thread-self/ns/net"

    /// Opens and validates the namespace file at `path`.
    public init(path: String) throws(NamespaceError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NamespaceError(.open, path: path, errno: errno) }
        do {
            identity = try Self.validate(fd, path: path)
        } catch {
            close(fd)
            throw error
        }
        self.path = path
        fileDescriptor = fd
    }

    /// Opens the namespace `ip netns add NAME` made.
    public convenience init(named name: String) throws(NamespaceError) {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else {
            throw NamespaceError(.invalidName, path: name, errno: EINVAL)
        }
        try self.init(path: "\(Self.namedDirectory)/\(name)")
    }

    /// The namespace the calling thread is in now.
    public static func current() throws(NamespaceError) -> NetworkNamespace {
        try NetworkNamespace(path: threadSelf)
    }

    deinit { close(fileDescriptor) }

    /// Whether `path` is an existing network namespace file (for liveness checks; never throws).
    public static func isNetworkNamespace(_ path: String) -> Bool {
        (try? NetworkNamespace(path: path)) != nil
    }

    /// The identity of the calling thread's namespace.
    public static func currentIdentity() throws(NamespaceError) -> Identity {
        var info = stat()
        guard stat(threadSelf, &info) == 0 else { throw NamespaceError(.open, path: threadSelf, errno: errno) }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Whether the calling thread is in this namespace now.
    public var isCurrent: Bool { (try? Self.currentIdentity()) == identity }

    /// Runs `body` with the calling thread inside this namespace, then returns the thread to the namespace
    /// it was in, also when `body` throws. Refuses to run `body` unless the thread is verifiably inside, so
    /// a failed entry can never let the body act on the wrong namespace. If the way back fails the process
    /// stops: carrying on in the wrong namespace would change the wrong network.
    public func withEntered<T>(_ body: () throws -> T) throws -> T {
        let here = try Self.currentIdentity()
        if here == identity { return try body() }
        let home = open(Self.threadSelf, O_RDONLY | O_CLOEXEC)
        guard home >= 0 else { throw NamespaceError(.open, path: Self.threadSelf, errno: errno) }
        defer { close(home) }
        guard vnet_setns_net(fileDescriptor) == 0 else {
            throw NamespaceError(.enter, path: path, errno: errno)
        }
        defer {
            if vnet_setns_net(home) != 0 || (try? Self.currentIdentity()) != here {
                fatalError("cannot return to the original network namespace after \(path): errno \(errno)")
            }
        }
        guard (try? Self.currentIdentity()) == identity else {
            throw NamespaceError(.enter, path: path, errno: EINVAL)
        }
        return try body()
    }

    /// Moves the calling thread into this namespace for the rest of its life: for a tool that acts on a node
    /// namespace for its whole run (`vnetctl --netns`, the console's demo). Call it before starting threads.
    public func enter() throws(NamespaceError) {
        guard vnet_setns_net(fileDescriptor) == 0 else { throw NamespaceError(.enter, path: path, errno: errno) }
        guard (try? Self.currentIdentity()) == identity else { throw NamespaceError(.enter, path: path, errno: EINVAL) }
    }

    /// Checks that `fd` is a network namespace file and returns its identity.
    private static func validate(_ fd: Int32, path: String) throws(NamespaceError) -> Identity {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw NamespaceError(.open, path: path, errno: errno) }
        switch vnet_is_nsfs(fd) {
        case 1: break
        case 0: throw NamespaceError(.notNetworkNamespace, path: path, errno: EINVAL)
        default: throw NamespaceError(.open, path: path, errno: errno)
        }
        switch vnet_is_net_namespace(fd) {
        case 1: break
        case 0: throw NamespaceError(.notNetworkNamespace, path: path, errno: EINVAL)
        default: throw NamespaceError(.open, path: path, errno: errno)
        }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
