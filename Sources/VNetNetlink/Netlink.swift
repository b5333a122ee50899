#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMnl
import VNetSystem

/// A handle on one network namespace's links, addresses, routes and neighbours (rtnetlink over libmnl).
///
/// The namespace is fixed when the handle is made: `Netlink()` acts in the namespace of the calling
/// thread, `Netlink(in:)` in the given one, from whichever thread uses it afterwards. Operations live in
/// extensions, one file per kind of kernel object (Links, Bridge, Veth, Addresses, Routes, Neighbours).
/// A handle is not thread-safe: use one per thread, as the single-threaded CNI plugins do.
public final class Netlink {
    let socket: NetlinkSocket

    /// A handle on the calling thread's current network namespace.
    public init() throws(NetlinkError) {
        socket = try NetlinkSocket()
    }

    /// A handle on `namespace`: the socket is opened while the calling thread is briefly inside it.
    public init(in namespace: NetworkNamespace) throws(NetlinkError) {
        do {
            socket = try namespace.withEntered { () throws(NetlinkError) -> NetlinkSocket in try NetlinkSocket() }
        } catch let error as NetlinkError {
            throw error
        } catch let error as NamespaceError {
            throw NetlinkError(operation: "open netlink socket in namespace", object: namespace.path,
                               errno: error.errno, detail: error.description)
        } catch {
            throw NetlinkError(operation: "open netlink socket in namespace", object: namespace.path, errno: EINVAL,
                               detail: "\(error)")
        }
    }

    /// Sends one request and returns the messages answering it.
    func perform<Header: BitwiseCopyable>(
        _ type: Int, flags: Int32 = 0, header: Header, label: RequestLabel,
        _ build: (MessageWriter) throws(NetlinkError) -> Void = { _ in }
    ) throws(NetlinkError) -> [Message] {
        var batch = RequestBatch()
        try batch.add(type, flags: flags, header: header, label: label, build)
        return try socket.execute(batch).first ?? []
    }

    /// A dump, retried (up to three times) when the kernel flags it as interrupted by a concurrent change,
    /// so callers never see a half-old, half-new list.
    func dump<Header: BitwiseCopyable>(
        _ type: Int, header: Header, label: RequestLabel,
        _ build: (MessageWriter) throws(NetlinkError) -> Void = { _ in }
    ) throws(NetlinkError) -> [Message] {
        var attempt = 0
        while true {
            attempt += 1
            let messages = try perform(type, flags: vnet_nlm_f_dump(), header: header, label: label, build)
            let interrupted = messages.contains { Int32($0.flags) & vnet_nlm_f_dump_intr() != 0 }
            if !interrupted || attempt >= 3 { return messages }
        }
    }
}

/// Interface names: at most IFNAMSIZ-1 bytes, no '/', no whitespace, not "." or "..". Checked before
/// sending so the error names the problem instead of the kernel's bare EINVAL.
enum InterfaceName {
    static func validate(_ name: String, _ label: RequestLabel) throws(NetlinkError) {
        let limit = Int(vnet_if_namesize()) - 1
        let bytes = Array(name.utf8)
        if bytes.isEmpty || bytes.count > limit {
            throw label.failure(bytes.isEmpty ? EINVAL : ERANGE, "interface names have 1 to \(limit) bytes")
        }
        if name == "." || name == ".." || bytes.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7F }) {
            throw label.failure(EINVAL, "interface names cannot contain '/', ':' or whitespace, nor be '.' or '..'")
        }
    }
}
