#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMnl
import VNetModel
import VNetSystem

/// A veth pair to create: the host end stays in the handle's namespace, the peer is born in
/// `peerNamespace` under its final name (no rename, no move: nothing to undo halfway).
public struct VethSpec: Sendable {
    /// The host end, e.g. "vn1a2b3c4d5e6f" (at most 15 bytes).
    public var hostName: String
    /// The pod end's name inside its namespace (CNI_IFNAME, e.g. "eth0").
    public var peerName: String
    /// Where the peer is born; nil keeps it beside the host end.
    public var peerNamespace: NetworkNamespace?
    /// MTU of both ends; nil for the kernel's default.
    public var mtu: Int?
    /// The bridge (ifindex) the host end joins at creation.
    public var master: Int32?
    /// Link group of the host end (so many can be deleted in one request); nil for the default group.
    public var group: UInt32?
    /// The host end up at creation. (The pod end cannot be: the kernel opens a veth peer before the pair is
    /// linked and refuses with ENOTCONN, so `configureInterface` brings it up in the pod's namespace.)
    public var hostUp: Bool
    /// The pod end's MAC; nil picks a random locally administered one (so it is known without asking).
    public var peerMAC: [UInt8]?
    /// Hairpin mode on the host end's bridge port (needs `master`).
    public var hairpin: Bool

    public init(hostName: String, peerName: String, peerNamespace: NetworkNamespace? = nil, mtu: Int? = nil,
                master: Int32? = nil, group: UInt32? = nil, hostUp: Bool = true,
                peerMAC: [UInt8]? = nil, hairpin: Bool = false) {
        self.hostName = hostName
        self.peerName = peerName
        self.peerNamespace = peerNamespace
        self.mtu = mtu
        self.master = master
        self.group = group
        self.hostUp = hostUp
        self.peerMAC = peerMAC
        self.hairpin = hairpin
    }
}

extension Netlink {
    /// Creates a veth pair in one RTM_NEWLINK: host end with its MTU, group, master and IFF_UP; peer (in
    /// VETH_INFO_PEER) with its name, MTU, MAC and IFLA_NET_NS_FD of the pod's namespace. The
    /// same datagram carries the GET that reads the host end back, so the pair costs one round trip
    /// (two with hairpin, which the kernel only takes for an existing port). Fails with EEXIST when
    /// either name is taken, leaving nothing behind; a failed hairpin step deletes the new pair.
    public func createVeth(_ spec: VethSpec) throws(NetlinkError) -> VethPair {
        let object = spec.peerNamespace.map { "\(spec.hostName) (peer \(spec.peerName) in \($0.path))" }
            ?? "\(spec.hostName) (peer \(spec.peerName))"
        let label = RequestLabel(operation: "create veth", object: object)
        try InterfaceName.validate(spec.hostName, label)
        try InterfaceName.validate(spec.peerName, label)
        if spec.hairpin && spec.master == nil { throw label.failure(EINVAL, "hairpin needs a master bridge") }
        let peerMAC = spec.peerMAC ?? MAC.random()
        guard peerMAC.count == 6 else { throw label.failure(EINVAL, "a MAC address has 6 bytes") }

        let host = LinkChanges(up: spec.hostUp, mtu: spec.mtu, master: spec.master, group: spec.group)
        let peer = LinkChanges(mtu: spec.mtu)
        let hostBits = host.flagBits
        var batch = RequestBatch()
        try batch.add(RTM_NEWLINK, flags: vnet_nlm_f_create() | vnet_nlm_f_excl(),
                      header: Self.linkHeader(flags: hostBits.flags, change: hostBits.change), label: label) {
            writer throws(NetlinkError) in
            try writer.put(IFLA_IFNAME, string: spec.hostName)
            try host.write(writer)
            try writer.nest(IFLA_LINKINFO) { info throws(NetlinkError) in
                try info.put(IFLA_INFO_KIND, string: "veth")
                try info.nest(IFLA_INFO_DATA) { data throws(NetlinkError) in
                    try data.nest(VETH_INFO_PEER) { peerInfo throws(NetlinkError) in
                        try peerInfo.putStruct(Self.linkHeader())
                        try peerInfo.put(IFLA_IFNAME, string: spec.peerName)
                        try peer.write(peerInfo)
                        try peerInfo.put(IFLA_ADDRESS, bytes: peerMAC)
                        if let namespace = spec.peerNamespace {
                            try peerInfo.put(IFLA_NET_NS_FD, u32: UInt32(bitPattern: namespace.fileDescriptor))
                        }
                    }
                }
            }
        }
        try batch.add(RTM_GETLINK, header: Self.linkHeader(), label: RequestLabel(operation: "get link", object: spec.hostName)) {
            writer throws(NetlinkError) in
            try writer.put(IFLA_IFNAME, string: spec.hostName)
        }
        let replies = try withExtendedLifetime(spec.peerNamespace) { () throws(NetlinkError) in try socket.execute(batch) }
        guard var created = replies.last?.lazy.compactMap(Link.init).first else {
            throw label.failure(ENODEV, "the new host end could not be read back")
        }
        if spec.hairpin {
            do {
                try setHairpin(index: created.index, true)
                created.hairpin = true
            } catch {
                _ = try? deleteLink(index: created.index)
                throw error
            }
        }
        return VethPair(host: created, peerName: spec.peerName, peerMAC: MAC.format(peerMAC))
    }
}
