#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMnl
import VNetModel

/// An IPv4 neighbour (ARP) entry.
public struct Neighbour: Sendable, Hashable {
    public var linkIndex: Int32
    public var address: IPv4Address
    /// "aa:bb:cc:dd:ee:ff", or "" while unresolved.
    public var mac: String
    /// NUD_* state bits.
    public var state: UInt16

    public var isPermanent: Bool { UInt32(state) & vnet_nud_permanent() != 0 }

    init?(_ message: Message) {
        guard Int(message.type) == RTM_NEWNEIGH, let header = message.header(ndmsg.self),
              Int32(header.ndm_family) == AF_INET else { return nil }
        let attributes = message.attributes(after: ndmsg.self)
        guard let address = attributes.address(NDA_DST) else { return nil }
        linkIndex = header.ndm_ifindex
        self.address = address
        mac = attributes.bytes(NDA_LLADDR).map(MAC.format) ?? ""
        state = header.ndm_state
    }
}

extension Netlink {
    private static func neighbourHeader(linkIndex: Int32, permanent: Bool) -> ndmsg {
        var header = ndmsg()
        header.ndm_family = UInt8(truncatingIfNeeded: AF_INET)
        header.ndm_ifindex = linkIndex
        if permanent { header.ndm_state = UInt16(truncatingIfNeeded: vnet_nud_permanent()) }
        return header
    }

    /// Adds (or replaces) a permanent entry: `address` is at `mac` on the link.
    public func setPermanentNeighbour(_ address: IPv4Address, mac: [UInt8], linkIndex: Int32) throws(NetlinkError) {
        let label = RequestLabel(operation: "set neighbour", object: "\(address) on #\(linkIndex)")
        guard mac.count == 6 else { throw label.failure(EINVAL, "a MAC address has 6 bytes") }
        _ = try perform(RTM_NEWNEIGH, flags: vnet_nlm_f_create() | vnet_nlm_f_replace(),
                        header: Self.neighbourHeader(linkIndex: linkIndex, permanent: true), label: label) {
            writer throws(NetlinkError) in
            try writer.put(NDA_DST, address: address)
            try writer.put(NDA_LLADDR, bytes: mac)
        }
    }

    /// Deletes the entry for `address` on the link; false when there was none.
    @discardableResult
    public func deleteNeighbour(_ address: IPv4Address, linkIndex: Int32) throws(NetlinkError) -> Bool {
        do {
            _ = try perform(RTM_DELNEIGH, header: Self.neighbourHeader(linkIndex: linkIndex, permanent: false),
                            label: RequestLabel(operation: "delete neighbour", object: "\(address) on #\(linkIndex)")) {
                writer throws(NetlinkError) in
                try writer.put(NDA_DST, address: address)
            }
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    /// The IPv4 neighbour entries, of every link or of one.
    public func neighbours(linkIndex: Int32? = nil) throws(NetlinkError) -> [Neighbour] {
        let all = try dump(RTM_GETNEIGH, header: Self.neighbourHeader(linkIndex: 0, permanent: false),
                           label: RequestLabel(operation: "dump neighbours", object: ""))
            .compactMap(Neighbour.init)
        guard let linkIndex else { return all }
        return all.filter { $0.linkIndex == linkIndex }
    }

    /// Deletes every IPv4 neighbour entry of the link (one dump, then the deletes batched); returns how
    /// many were deleted.
    @discardableResult
    public func flushNeighbours(linkIndex: Int32) throws(NetlinkError) -> Int {
        let entries = try neighbours(linkIndex: linkIndex)
        var deleted = 0
        var start = 0
        while start < entries.count {
            var batch = RequestBatch()
            var end = start
            // Fill one datagram; a full buffer sends what it has and starts the next.
            while end < entries.count {
                let entry = entries[end]
                do {
                    try batch.add(RTM_DELNEIGH, header: Self.neighbourHeader(linkIndex: linkIndex, permanent: false),
                                  label: RequestLabel(operation: "delete neighbour", object: "\(entry.address) on #\(linkIndex)")) {
                        writer throws(NetlinkError) in
                        try writer.put(NDA_DST, address: entry.address)
                    }
                } catch where error.errno == EMSGSIZE && !batch.isEmpty {
                    break
                }
                end += 1
            }
            do {
                _ = try socket.execute(batch)
            } catch where error.isNotFound {
                // An entry that expired meanwhile: the others in the batch were still processed.
            }
            deleted += end - start
            start = end
        }
        return deleted
    }
}
