#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed netlink operation: what we asked, about which object, and the kernel's answer.
///
/// Every failure of this adapter is one of these, so callers decide on `errno` alone (EEXIST: the name is
/// taken; ENODEV: no such link; ESRCH: no such route) and operators read the rest. `detail` holds the
/// kernel's own explanation when it sent one (extended ack, e.g. "Unknown device type") or ours when the
/// failure happened before the kernel saw the request.
public struct NetlinkError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was being done: "create veth", "add address", "dump links".
    public var operation: String
    /// The object it was done to: a link name, "10.0.0.2/24 on eth0", a route.
    public var object: String
    /// The kernel's errno (positive), or the errno of the failed system call.
    public var errno: Int32
    /// The kernel's extended-ack message, or our reason when we refused before sending.
    public var detail: String?

    public init(operation: String, object: String, errno: Int32, detail: String? = nil) {
        self.operation = operation
        self.object = object
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        let subject = object.isEmpty ? operation : "\(operation) \(object)"
        if let detail, !detail.isEmpty { return "\(subject): \(reason) (errno \(errno)): \(detail)" }
        return "\(subject): \(reason) (errno \(errno))"
    }

    /// The object does not exist (no such link, address, route or neighbour).
    public var isNotFound: Bool {
        errno == ENODEV || errno == ENOENT || errno == ESRCH || errno == EADDRNOTAVAIL
    }

    /// The object (or its name) exists already.
    public var isAlreadyExists: Bool { errno == EEXIST }
}

/// The label a request carries until its answer comes back, so a failure names what failed.
struct RequestLabel: Sendable {
    var operation: String
    var object: String

    func failure(_ errno: Int32, _ detail: String? = nil) -> NetlinkError {
        NetlinkError(operation: operation, object: object, errno: errno, detail: detail)
    }
}
