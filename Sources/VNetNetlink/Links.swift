#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMnl
import VNetModel

/// Changes to an existing link, applied together in one RTM_SETLINK. nil leaves a property as it is.
public struct LinkChanges: Sendable, Hashable {
    public var up: Bool?
    public var mtu: Int?
    /// The bridge's ifindex; 0 detaches the link from its bridge.
    public var master: Int32?
    public var promiscuous: Bool?
    public var group: UInt32?

    public init(up: Bool? = nil, mtu: Int? = nil, master: Int32? = nil, promiscuous: Bool? = nil, group: UInt32? = nil) {
        self.up = up
        self.mtu = mtu
        self.master = master
        self.promiscuous = promiscuous
        self.group = group
    }

    /// The ifinfomsg flag bits to set and the mask of the bits we mean to change (ifi_flags, ifi_change).
    var flagBits: (flags: UInt32, change: UInt32) {
        var flags: UInt32 = 0, change: UInt32 = 0
        if let up {
            change |= vnet_iff_up()
            if up { flags |= vnet_iff_up() }
        }
        if let promiscuous {
            change |= vnet_iff_promisc()
            if promiscuous { flags |= vnet_iff_promisc() }
        }
        return (flags, change)
    }

    /// The attributes, written into a request for any link (creation or change).
    func write(_ writer: MessageWriter) throws(NetlinkError) {
        if let mtu { try writer.put(IFLA_MTU, u32: UInt32(clamping: mtu)) }
        if let master { try writer.put(IFLA_MASTER, i32: master) }
        if let group { try writer.put(IFLA_GROUP, u32: group) }
    }
}

extension Netlink {
    static func linkHeader(index: Int32 = 0, family: Int32 = AF_UNSPEC, flags: UInt32 = 0, change: UInt32 = 0) -> ifinfomsg {
        var header = ifinfomsg()
        header.ifi_family = UInt8(truncatingIfNeeded: family)
        header.ifi_index = index
        header.ifi_flags = flags
        header.ifi_change = change
        return header
    }

    /// The link named `name`, or nil when there is none.
    public func link(named name: String) throws(NetlinkError) -> Link? {
        let label = RequestLabel(operation: "get link", object: name)
        try InterfaceName.validate(name, label)
        return try getLink(label) { writer throws(NetlinkError) in try writer.put(IFLA_IFNAME, string: name) }
    }

    /// The link with ifindex `index`, or nil when there is none.
    public func link(index: Int32) throws(NetlinkError) -> Link? {
        try getLink(RequestLabel(operation: "get link", object: "#\(index)"), index: index)
    }

    private func getLink(_ label: RequestLabel, index: Int32 = 0,
                         _ build: (MessageWriter) throws(NetlinkError) -> Void = { _ in }) throws(NetlinkError) -> Link? {
        do {
            let replies = try perform(RTM_GETLINK, header: Self.linkHeader(index: index), label: label, build)
            return replies.lazy.compactMap(Link.init).first
        } catch where error.errno == ENODEV {
            return nil
        }
    }

    /// Every link of the namespace, with counters and masters resolved to names (one dump).
    public func links() throws(NetlinkError) -> [Link] {
        var all = try dump(RTM_GETLINK, header: Self.linkHeader(), label: RequestLabel(operation: "dump links", object: ""))
            .compactMap(Link.init)
        var names: [Int32: String] = [:]
        for link in all { names[link.index] = link.name }
        for position in all.indices { all[position].master = all[position].masterIndex.flatMap { names[$0] } }
        return all
    }

    /// Applies `changes` to the link named `name`.
    public func setLink(named name: String, _ changes: LinkChanges) throws(NetlinkError) {
        let label = RequestLabel(operation: "set link", object: name)
        try InterfaceName.validate(name, label)
        let bits = changes.flagBits
        _ = try perform(RTM_SETLINK, header: Self.linkHeader(flags: bits.flags, change: bits.change), label: label) {
            writer throws(NetlinkError) in
            try writer.put(IFLA_IFNAME, string: name)
            try changes.write(writer)
        }
    }

    /// Applies `changes` to the link with ifindex `index`.
    public func setLink(index: Int32, _ changes: LinkChanges) throws(NetlinkError) {
        let bits = changes.flagBits
        _ = try perform(RTM_SETLINK, header: Self.linkHeader(index: index, flags: bits.flags, change: bits.change),
                        label: RequestLabel(operation: "set link", object: "#\(index)")) { writer throws(NetlinkError) in
            try changes.write(writer)
        }
    }

    /// Hairpin mode of a bridge port: lets a pod reach itself through a service address that the node
    /// translates back to it. Set through the bridge's own interface (AF_BRIDGE, IFLA_PROTINFO with
    /// IFLA_BRPORT_MODE), which needs the port's ifindex.
    public func setHairpin(index: Int32, _ on: Bool) throws(NetlinkError) {
        _ = try perform(RTM_SETLINK, header: Self.linkHeader(index: index, family: AF_BRIDGE),
                        label: RequestLabel(operation: "set hairpin", object: "#\(index)")) { writer throws(NetlinkError) in
            try writer.nest(IFLA_PROTINFO) { nested throws(NetlinkError) in
                try nested.put(IFLA_BRPORT_MODE, u8: on ? 1 : 0)
            }
        }
    }

    /// Deletes the link named `name` (a veth takes its peer with it). Returns false when there was none,
    /// so DEL and undo steps are idempotent.
    @discardableResult
    public func deleteLink(named name: String) throws(NetlinkError) -> Bool {
        let label = RequestLabel(operation: "delete link", object: name)
        try InterfaceName.validate(name, label)
        do {
            _ = try perform(RTM_DELLINK, header: Self.linkHeader(), label: label) { writer throws(NetlinkError) in
                try writer.put(IFLA_IFNAME, string: name)
            }
            return true
        } catch where error.errno == ENODEV {
            return false
        }
    }

    /// Deletes the link named `name` like `deleteLink(named:)`, but returns as soon as the kernel announces
    /// it gone (unlisted, its addresses, routes and bridge port removed, its name free) instead of after the
    /// kernel has also freed it: a veth's free waits for an RCU barrier, ~20 ms, that nothing of ours needs.
    /// A detached process sends the request and sits out that wait. On kernels that do not echo link
    /// deletions this costs what `deleteLink(named:)` costs; if the sending process dies before it sends,
    /// the link is deleted here, waiting.
    @discardableResult
    public func deleteLinkWithoutAwaitingFree(named name: String) throws(NetlinkError) -> Bool {
        let label = RequestLabel(operation: "delete link", object: name)
        try InterfaceName.validate(name, label)
        var batch = RequestBatch()
        try batch.add(RTM_DELLINK, flags: vnet_nlm_f_echo(), header: Self.linkHeader(), label: label) { writer throws(NetlinkError) in
            try writer.put(IFLA_IFNAME, string: name)
        }
        do {
            try socket.executeDetached(batch, echoType: RTM_DELLINK, timeoutMilliseconds: 10_000)
            return true
        } catch where error.errno == ENODEV {
            return false
        } catch where error.errno == ETIMEDOUT {
            return try deleteLink(named: name)
        }
    }

    /// Deletes the link with ifindex `index`; false when there was none.
    @discardableResult
    public func deleteLink(index: Int32) throws(NetlinkError) -> Bool {
        do {
            _ = try perform(RTM_DELLINK, header: Self.linkHeader(index: index),
                            label: RequestLabel(operation: "delete link", object: "#\(index)"))
            return true
        } catch where error.errno == ENODEV {
            return false
        }
    }

    /// Deletes every link of `group` in one request: the kernel tears them down under one lock, 40-60x
    /// faster than one request per link. Group 0 (every link's default) is refused. Returns false when
    /// the group had no links.
    @discardableResult
    public func deleteLinks(group: UInt32) throws(NetlinkError) -> Bool {
        let label = RequestLabel(operation: "delete links of group", object: "\(group)")
        guard group != 0 else { throw label.failure(EINVAL, "group 0 is every link's default group") }
        do {
            _ = try perform(RTM_DELLINK, header: Self.linkHeader(), label: label) { writer throws(NetlinkError) in
                try writer.put(IFLA_GROUP, u32: group)
            }
            return true
        } catch where error.errno == ENODEV {
            return false
        }
    }
}
