#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMnl
import VNetModel

/// The node's bridge as vnet wants it.
public struct BridgeSpec: Sendable, Hashable {
    public var name: String
    public var mtu: Int
    /// An address for the bridge itself (e.g. when the node is its pods' gateway); nil for none.
    public var address: IPv4Prefix?
    /// Turn promiscuous mode on (never turned off here: someone else may rely on it).
    public var promiscuous: Bool

    public init(name: String = "vnet0", mtu: Int = 1500, address: IPv4Prefix? = nil, promiscuous: Bool = false) {
        self.name = name
        self.mtu = mtu
        self.address = address
        self.promiscuous = promiscuous
    }
}

extension Netlink {
    /// Makes sure the bridge exists, is up, has the MTU (and address and promiscuous mode) asked for, and
    /// returns it. Idempotent and safe against a concurrent ADD creating it first. A link of that name
    /// that is not a bridge is an error (EEXIST), never replaced.
    ///
    /// Cost: one round trip when all is well (a GET), two when it creates the bridge (create with IFF_UP
    /// and the MTU in the same request, batched with the GET that reads it back).
    public func ensureBridge(_ spec: BridgeSpec) throws(NetlinkError) -> Link {
        let label = RequestLabel(operation: "ensure bridge", object: spec.name)
        try InterfaceName.validate(spec.name, label)
        var found = try link(named: spec.name)
        if found == nil {
            do {
                found = try createBridge(spec)
            } catch where error.isAlreadyExists {
                found = try link(named: spec.name)
            }
        }
        guard var bridge = found else { throw label.failure(ENODEV, "the bridge vanished while being created") }
        guard bridge.kind == "bridge" else {
            let kind = bridge.kind.isEmpty ? "a device" : "a \(bridge.kind)"
            throw label.failure(EEXIST, "\(spec.name) exists and is \(kind), not a bridge")
        }
        var changes = LinkChanges()
        if !bridge.adminUp { changes.up = true }
        if bridge.mtu != spec.mtu { changes.mtu = spec.mtu }
        if spec.promiscuous && !bridge.promiscuous { changes.promiscuous = true }
        if changes != LinkChanges() {
            try setLink(index: bridge.index, changes)
            bridge = try link(index: bridge.index) ?? bridge
        }
        if let address = spec.address {
            try ensureAddress(address, linkIndex: bridge.index)
        }
        return bridge
    }

    /// Creates the bridge up with its MTU and a MAC of its own, and reads it back, in one round trip.
    ///
    /// The MAC is set, not left to the kernel: a bridge whose address nobody chose takes the lowest MAC of
    /// its ports, so it changes as pods come and go (and the pods' neighbour entries for their gateway,
    /// which proxy ARP answers with the bridge's MAC, go stale), and the kernel walks every port for the
    /// lowest on each port added.
    ///
    /// Multicast snooping is off: a VNet carries no multicast beyond the node, and with snooping on the
    /// kernel rearms its timers on every port whenever a port is added or comes up, so each ADD costs more
    /// with every pod on the bridge. Multicast among a node's pods is flooded instead, as by a plain switch.
    private func createBridge(_ spec: BridgeSpec) throws(NetlinkError) -> Link? {
        let label = RequestLabel(operation: "create bridge", object: spec.name)
        var changes = LinkChanges(up: true, mtu: spec.mtu)
        if spec.promiscuous { changes.promiscuous = true }
        let bits = changes.flagBits
        var batch = RequestBatch()
        try batch.add(RTM_NEWLINK, flags: vnet_nlm_f_create() | vnet_nlm_f_excl(),
                      header: Self.linkHeader(flags: bits.flags, change: bits.change), label: label) {
            writer throws(NetlinkError) in
            try writer.put(IFLA_IFNAME, string: spec.name)
            try writer.put(IFLA_ADDRESS, bytes: MAC.random())
            try changes.write(writer)
            try writer.nest(IFLA_LINKINFO) { info throws(NetlinkError) in
                try info.put(IFLA_INFO_KIND, string: "bridge")
                try info.nest(IFLA_INFO_DATA) { data throws(NetlinkError) in
                    try data.put(IFLA_BR_MCAST_SNOOPING, u8: 0)
                }
            }
        }
        try batch.add(RTM_GETLINK, header: Self.linkHeader(), label: RequestLabel(operation: "get link", object: spec.name)) {
            writer throws(NetlinkError) in
            try writer.put(IFLA_IFNAME, string: spec.name)
        }
        let replies = try socket.execute(batch)
        return replies.last?.lazy.compactMap(Link.init).first
    }
}
