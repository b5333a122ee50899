#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMnl
import VNetModel

/// An IPv4 address on a link (RTM_NEWADDR).
public struct Address: Sendable, Hashable {
    public var linkIndex: Int32
    /// The local address with its prefix length, e.g. 10.240.0.7/16.
    public var prefix: IPv4Prefix
    /// IFA_LABEL, the interface name (or "eth0:1" style alias).
    public var label: String?
    /// RT_SCOPE_* (universe for ordinary addresses, host for 127.0.0.1).
    public var scope: UInt8
    public var flags: UInt32

    public init(linkIndex: Int32, prefix: IPv4Prefix, label: String? = nil,
                scope: UInt8 = UInt8(RT_SCOPE_UNIVERSE.rawValue), flags: UInt32 = 0) {
        self.linkIndex = linkIndex
        self.prefix = prefix
        self.label = label
        self.scope = scope
        self.flags = flags
    }

    /// Decodes an RTM_NEWADDR/RTM_DELADDR message for IPv4; nil otherwise.
    init?(_ message: Message) {
        guard Int(message.type) == RTM_NEWADDR || Int(message.type) == RTM_DELADDR,
              let header = message.header(ifaddrmsg.self), Int32(header.ifa_family) == AF_INET,
              header.ifa_prefixlen <= 32 else { return nil }
        let attributes = message.attributes(after: ifaddrmsg.self)
        guard let local = attributes.address(IFA_LOCAL) ?? attributes.address(IFA_ADDRESS) else { return nil }
        self.init(linkIndex: Int32(bitPattern: header.ifa_index),
                  prefix: IPv4Prefix(address: local, length: Int(header.ifa_prefixlen)),
                  label: attributes.string(IFA_LABEL), scope: header.ifa_scope,
                  flags: attributes.u32(IFA_FLAGS) ?? UInt32(header.ifa_flags))
    }
}

extension Netlink {
    static func addressHeader(_ prefix: IPv4Prefix, linkIndex: Int32) -> ifaddrmsg {
        var header = ifaddrmsg()
        header.ifa_family = UInt8(truncatingIfNeeded: AF_INET)
        header.ifa_prefixlen = UInt8(truncatingIfNeeded: prefix.length)
        header.ifa_scope = UInt8(truncatingIfNeeded: RT_SCOPE_UNIVERSE.rawValue)
        header.ifa_index = UInt32(bitPattern: linkIndex)
        return header
    }

    /// Writes an RTM_NEWADDR for `prefix` on `linkIndex` into `batch`. `replace` makes it idempotent.
    func addAddress(_ prefix: IPv4Prefix, linkIndex: Int32, replace: Bool, into batch: inout RequestBatch,
                    label: RequestLabel) throws(NetlinkError) {
        let flags = vnet_nlm_f_create() | (replace ? vnet_nlm_f_replace() : vnet_nlm_f_excl())
        try batch.add(RTM_NEWADDR, flags: flags, header: Self.addressHeader(prefix, linkIndex: linkIndex), label: label) {
            writer throws(NetlinkError) in
            try writer.put(IFA_LOCAL, address: prefix.address)
            try writer.put(IFA_ADDRESS, address: prefix.address)
            if prefix.length < 31 { try writer.put(IFA_BROADCAST, address: prefix.broadcast) }
        }
    }

    /// Adds `prefix` (address and prefix length) to the link; EEXIST when it is there already.
    public func addAddress(_ prefix: IPv4Prefix, linkIndex: Int32) throws(NetlinkError) {
        var batch = RequestBatch()
        try addAddress(prefix, linkIndex: linkIndex, replace: false, into: &batch,
                       label: RequestLabel(operation: "add address", object: "\(prefix) on #\(linkIndex)"))
        _ = try socket.execute(batch)
    }

    /// Adds `prefix` unless the link has it already. Returns whether it was added.
    @discardableResult
    public func ensureAddress(_ prefix: IPv4Prefix, linkIndex: Int32) throws(NetlinkError) -> Bool {
        do {
            try addAddress(prefix, linkIndex: linkIndex)
            return true
        } catch where error.isAlreadyExists {
            return false
        }
    }

    /// Removes `prefix` from the link; false when it was not there.
    @discardableResult
    public func deleteAddress(_ prefix: IPv4Prefix, linkIndex: Int32) throws(NetlinkError) -> Bool {
        do {
            _ = try perform(RTM_DELADDR, header: Self.addressHeader(prefix, linkIndex: linkIndex),
                            label: RequestLabel(operation: "delete address", object: "\(prefix) on #\(linkIndex)")) {
                writer throws(NetlinkError) in
                try writer.put(IFA_LOCAL, address: prefix.address)
            }
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    /// The IPv4 addresses of the namespace, or of one link.
    public func addresses(linkIndex: Int32? = nil) throws(NetlinkError) -> [Address] {
        var header = ifaddrmsg()
        header.ifa_family = UInt8(truncatingIfNeeded: AF_INET)
        let all = try dump(RTM_GETADDR, header: header,
                           label: RequestLabel(operation: "dump addresses", object: linkIndex.map { "of #\($0)" } ?? ""))
            .compactMap(Address.init)
        guard let linkIndex else { return all }
        return all.filter { $0.linkIndex == linkIndex }
    }
}
