/// Counters of one link, as the kernel's 64-bit link statistics report them.
public struct LinkCounters: Codable, Hashable, Sendable {
    public var rxBytes: UInt64
    public var txBytes: UInt64
    public var rxPackets: UInt64
    public var txPackets: UInt64
    public var rxDropped: UInt64
    public var txDropped: UInt64
    public var rxErrors: UInt64
    public var txErrors: UInt64

    public init(rxBytes: UInt64 = 0, txBytes: UInt64 = 0, rxPackets: UInt64 = 0, txPackets: UInt64 = 0,
                rxDropped: UInt64 = 0, txDropped: UInt64 = 0, rxErrors: UInt64 = 0, txErrors: UInt64 = 0) {
        self.rxBytes = rxBytes
        self.txBytes = txBytes
        self.rxPackets = rxPackets
        self.txPackets = txPackets
        self.rxDropped = rxDropped
        self.txDropped = txDropped
        self.rxErrors = rxErrors
        self.txErrors = txErrors
    }
}

/// A link's operational state as the kernel reports it (IFLA_OPERSTATE, RFC 2863 states).
public enum OperState: String, Codable, Sendable, Hashable, CaseIterable {
    case unknown
    case notPresent = "notpresent"
    case down
    case lowerLayerDown = "lowerlayerdown"
    case testing
    case dormant
    case up
}

/// A network link (bridge, veth end, uplink) as the kernel describes it (RTM_NEWLINK): one typed value from
/// the netlink adapter to the console's cells and vnetctl's JSON.
public struct Link: Codable, Hashable, Sendable {
    public var index: Int32
    public var name: String
    /// IFLA_INFO_KIND: "bridge", "veth", "dummy", ... or "" for a physical device and lo.
    public var kind: String
    /// The ifindex of the bridge (or bond) this link is a port of.
    public var masterIndex: Int32?
    /// That master's name, resolved by whoever read the link with the others.
    public var master: String?
    public var operState: OperState
    /// Administratively up (IFF_UP): what `ip link set up` sets.
    public var adminUp: Bool
    /// Carrier present (IFF_LOWER_UP).
    public var lowerUp: Bool
    public var promiscuous: Bool
    public var isLoopback: Bool
    public var mtu: Int
    /// The hardware address as "aa:bb:cc:dd:ee:ff" ("" when the link has none).
    public var mac: String
    /// The link group (IFLA_GROUP), 0 by default; vnet puts its veths in one so DEL-all is one request.
    public var group: UInt32
    /// 64-bit counters (IFLA_STATS64); zero when the kernel sent none.
    public var counters: LinkCounters
    /// Hairpin mode of a bridge port (IFLA_BRPORT_MODE), nil when the link is no bridge port.
    public var hairpin: Bool?
    /// IFLA_LINK: for a veth, the peer's ifindex (in the peer's namespace).
    public var peerIndex: Int32?
    /// For a veth whose peer lives in another namespace: that namespace's id as this namespace numbers it
    /// (IFLA_LINK_NETNSID). The kernel deletes a pair with either namespace, so its presence means the
    /// peer's namespace is alive.
    public var peerNamespaceID: Int32?

    public init(index: Int32, name: String, kind: String = "", masterIndex: Int32? = nil, master: String? = nil,
                operState: OperState = .unknown, adminUp: Bool = false, lowerUp: Bool = false, promiscuous: Bool = false,
                isLoopback: Bool = false, mtu: Int = 0, mac: String = "", group: UInt32 = 0,
                counters: LinkCounters = LinkCounters(), hairpin: Bool? = nil, peerIndex: Int32? = nil,
                peerNamespaceID: Int32? = nil) {
        self.index = index
        self.name = name
        self.kind = kind
        self.masterIndex = masterIndex
        self.master = master
        self.operState = operState
        self.adminUp = adminUp
        self.lowerUp = lowerUp
        self.promiscuous = promiscuous
        self.isLoopback = isLoopback
        self.mtu = mtu
        self.mac = mac
        self.group = group
        self.counters = counters
        self.hairpin = hairpin
        self.peerIndex = peerIndex
        self.peerNamespaceID = peerNamespaceID
    }

    /// A veth with its peer in another namespace (a pod's host end): the kernel's witness that the pod's
    /// namespace exists.
    public var hasPeerInOtherNamespace: Bool { kind == "veth" && peerNamespaceID != nil }
}

/// A veth pair as created: the host end as the kernel reports it, and the pod end's name and MAC (chosen by
/// vnet, so an ADD reports it without a look into the pod's namespace).
public struct VethPair: Sendable, Hashable {
    public var host: Link
    public var peerName: String
    /// The pod end's MAC, "aa:bb:cc:dd:ee:ff".
    public var peerMAC: String

    public init(host: Link, peerName: String, peerMAC: String) {
        self.host = host
        self.peerName = peerName
        self.peerMAC = peerMAC
    }
}
