#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMnl
import VNetModel
import VNetSystem

/// A change the kernel announced on a link or an IPv4 address.
public enum NetlinkEvent: Sendable, Hashable {
    case linkAdded(Link)
    case linkChanged(Link)
    case linkRemoved(index: Int32, name: String)
    case addressAdded(Address)
    case addressRemoved(Address)
    /// The kernel dropped notifications (the socket's buffer overflowed): re-read the state.
    case overflow

    /// The link's name for link events, nil otherwise.
    public var linkName: String? {
        switch self {
        case .linkAdded(let link), .linkChanged(let link): return link.name
        case .linkRemoved(_, let name): return name
        default: return nil
        }
    }

    /// Decodes one notification; nil for kinds we do not report.
    init?(_ message: Message) {
        switch Int(message.type) {
        case RTM_NEWLINK:
            guard let link = Link(message), let header = message.header(ifinfomsg.self) else { return nil }
            // The kernel announces a new link with every flag marked as changed (ifi_change == ~0).
            self = header.ifi_change == UInt32.max ? .linkAdded(link) : .linkChanged(link)
        case RTM_DELLINK:
            guard let link = Link(message) else { return nil }
            self = .linkRemoved(index: link.index, name: link.name)
        case RTM_NEWADDR:
            guard let address = Address(message) else { return nil }
            self = .addressAdded(address)
        case RTM_DELADDR:
            guard let address = Address(message) else { return nil }
            self = .addressRemoved(address)
        default:
            return nil
        }
    }
}

/// A subscription to link and IPv4 address notifications (RTMGRP_LINK | RTMGRP_IPV4_IFADDR) of one
/// namespace. The socket is non-blocking: poll `fileDescriptor` for readability (the console wakes on
/// it), then `drain()` everything queued without ever waiting.
public final class NetlinkEventMonitor {
    private let socket: NetlinkSocket

    /// Subscribes in the calling thread's namespace.
    public init() throws(NetlinkError) {
        socket = try NetlinkSocket(groups: vnet_rtmgrp_link() | vnet_rtmgrp_ipv4_ifaddr(), nonBlocking: true)
    }

    /// Subscribes in `namespace` (the socket keeps listening there from any thread).
    public init(in namespace: NetworkNamespace) throws(NetlinkError) {
        do {
            socket = try namespace.withEntered { () throws(NetlinkError) -> NetlinkSocket in
                try NetlinkSocket(groups: vnet_rtmgrp_link() | vnet_rtmgrp_ipv4_ifaddr(), nonBlocking: true)
            }
        } catch let error as NetlinkError {
            throw error
        } catch {
            let code = (error as? NamespaceError)?.errno ?? EINVAL
            throw NetlinkError(operation: "subscribe to events in namespace", object: namespace.path, errno: code,
                               detail: "\(error)")
        }
    }

    /// Readable (POLLIN) when notifications are waiting.
    public var fileDescriptor: Int32 { socket.fileDescriptor }

    /// Every notification queued now, decoded, oldest first; [] when none. Never blocks. A kernel-side
    /// overflow is reported as `.overflow` in place, and reading goes on.
    public func drain() throws(NetlinkError) -> [NetlinkEvent] {
        var events: [NetlinkEvent] = []
        while true {
            do {
                guard let messages = try socket.receiveNotifications() else { return events }
                events.append(contentsOf: messages.compactMap(NetlinkEvent.init))
            } catch where error.errno == ENOBUFS {
                events.append(.overflow)
            }
        }
    }

    /// Waits up to `milliseconds` for notifications to arrive (for callers without their own poll loop).
    /// Returns whether some are waiting.
    public func wait(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0 && entry.revents & Int16(POLLIN) != 0
    }
}
