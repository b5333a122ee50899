#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import VNetSystem

/// Kernel settings under /proc/sys/net, read and written in the calling thread's network namespace
/// (procfs resolves /proc/sys/net per thread). To change a pod's or a test node's settings, call these
/// inside `NetworkNamespace.withEntered`; outside it they change the node's own.
public enum Sysctl {
    /// A setting under /proc/sys, as a path relative to it.
    public struct Key: Hashable, Sendable, CustomStringConvertible {
        public var path: String
        public init(_ path: String) { self.path = path }
        public var description: String { path.replacingSlashes() }

        /// Forward IPv4 between interfaces: a node routing its pods' traffic needs it.
        public static let ipv4Forward = Key("net/ipv4/ip_forward")

        /// Reverse-path filtering on `interface` ("all" and "default" are valid too).
        public static func rpFilter(_ interface: String) -> Key { Key("net/ipv4/conf/\(interface)/rp_filter") }
        /// Answer ARP for addresses reachable through another interface: pods reach a gateway beyond the node.
        public static func proxyARP(_ interface: String) -> Key { Key("net/ipv4/conf/\(interface)/proxy_arp") }
        public static func arpIgnore(_ interface: String) -> Key { Key("net/ipv4/conf/\(interface)/arp_ignore") }
        public static func arpAnnounce(_ interface: String) -> Key { Key("net/ipv4/conf/\(interface)/arp_announce") }
        public static func forwarding(_ interface: String) -> Key { Key("net/ipv4/conf/\(interface)/forwarding") }
        public static func disableIPv6(_ interface: String) -> Key { Key("net/ipv6/conf/\(interface)/disable_ipv6") }

        var file: String { "/proc/sys/" + path }

        /// Refuses components that would escape /proc/sys/net (an interface name with "/" or "..").
        var isSafe: Bool {
            path.hasPrefix("net/") && !path.split(separator: "/", omittingEmptySubsequences: false).contains {
                $0.isEmpty || $0 == "." || $0 == ".."
            }
        }
    }

    /// The value, without its trailing newline.
    public static func read(_ key: Key) throws(SystemError) -> String {
        guard key.isSafe else { throw SystemError("read sysctl", path: key.file, errno: EINVAL) }
        guard let bytes = try Files.read(key.file, limit: 4096) else {
            throw SystemError("read sysctl", path: key.file, errno: ENOENT)
        }
        var text = String(decoding: bytes, as: UTF8.self)
        while text.last == "\n" { text.removeLast() }
        return text
    }

    /// Writes `value`.
    public static func write(_ key: Key, _ value: String) throws(SystemError) {
        guard key.isSafe else { throw SystemError("write sysctl", path: key.file, errno: EINVAL) }
        let fd = open(key.file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("write sysctl", path: key.file) }
        defer { close(fd) }
        try Files.writeAll(fd, Array((value + "\n").utf8), path: key.file)
    }

    /// Writes `value` unless the setting has it already; returns whether it changed anything.
    @discardableResult
    public static func ensure(_ key: Key, _ value: String) throws(SystemError) -> Bool {
        if try read(key) == value { return false }
        try write(key, value)
        return true
    }
}

private extension String {
    func replacingSlashes() -> String { String(map { $0 == "/" ? "." : $0 }) }
}
