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

/// A network link as seen on the node (bridge, veth host end, uplink).
public struct LinkInfo: Codable, Hashable, Sendable {
    public var index: Int32
    public var name: String
    /// The kernel's link kind ("bridge", "veth", ...) or "" for a physical device.
    public var kind: String
    public var master: String?
    /// The kernel's operational state: "up", "down", "lowerlayerdown", "unknown", ...
    public var operState: String
    public var adminUp: Bool
    public var mtu: Int
    public var mac: String
    public var counters: LinkCounters
    /// For a veth whose peer lives in another namespace: that namespace's id as this namespace numbers it
    /// (IFLA_LINK_NETNSID). The kernel deletes a pair with either namespace, so its presence means the
    /// peer's namespace is alive.
    public var peerNamespaceID: Int32?

    public init(index: Int32, name: String, kind: String, master: String?, operState: String, adminUp: Bool,
                mtu: Int, mac: String, counters: LinkCounters, peerNamespaceID: Int32? = nil) {
        self.index = index
        self.name = name
        self.kind = kind
        self.master = master
        self.operState = operState
        self.adminUp = adminUp
        self.mtu = mtu
        self.mac = mac
        self.counters = counters
        self.peerNamespaceID = peerNamespaceID
    }

    /// A veth with its peer in another namespace (a pod's host end): the kernel's witness that the pod's
    /// namespace exists.
    public var hasPeerInOtherNamespace: Bool { kind == "veth" && peerNamespaceID != nil }
}
