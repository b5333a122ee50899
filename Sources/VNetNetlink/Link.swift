import CMnl
import VNetModel

/// A link's operational state as the kernel reports it (IFLA_OPERSTATE, RFC 2863 states).
public enum OperState: String, Sendable, Hashable, CaseIterable {
    case unknown
    case notPresent = "notpresent"
    case down
    case lowerLayerDown = "lowerlayerdown"
    case testing
    case dormant
    case up

    init(kernel value: UInt8) {
        switch value {
        case vnet_if_oper_notpresent(): self = .notPresent
        case vnet_if_oper_down(): self = .down
        case vnet_if_oper_lowerlayerdown(): self = .lowerLayerDown
        case vnet_if_oper_testing(): self = .testing
        case vnet_if_oper_dormant(): self = .dormant
        case vnet_if_oper_up(): self = .up
        default: self = .unknown
        }
    }
}

/// A network link (RTM_NEWLINK) as the kernel describes it: the typed value behind `LinkInfo`.
public struct Link: Sendable, Hashable {
    public var index: Int32
    public var name: String
    /// IFLA_INFO_KIND: "bridge", "veth", "dummy", ... or "" for a physical device and lo.
    public var kind: String
    /// The ifindex of the bridge (or bond) this link is a port of.
    public var masterIndex: Int32?
    public var operState: OperState
    /// The kernel's IFF_* flags.
    public var flags: UInt32
    public var mtu: Int
    /// The hardware address as "aa:bb:cc:dd:ee:ff" ("" when the link has none).
    public var mac: String
    /// The link group (IFLA_GROUP), 0 by default; vnet puts its veths in one so DEL-all is one request.
    public var group: UInt32
    /// 64-bit counters (IFLA_STATS64), when the kernel sent them.
    public var counters: LinkCounters?
    /// Hairpin mode of a bridge port (IFLA_BRPORT_MODE), nil when the link is no bridge port.
    public var hairpin: Bool?
    /// IFLA_LINK: for a veth, the peer's ifindex (in the peer's namespace).
    public var peerIndex: Int32?
    /// IFLA_LINK_NETNSID: for a veth whose peer lives in another namespace, that namespace's id here.
    public var peerNamespaceID: Int32?

    public init(index: Int32, name: String, kind: String = "", masterIndex: Int32? = nil,
                operState: OperState = .unknown, flags: UInt32 = 0, mtu: Int = 0, mac: String = "",
                group: UInt32 = 0, counters: LinkCounters? = nil, hairpin: Bool? = nil, peerIndex: Int32? = nil) {
        self.index = index
        self.name = name
        self.kind = kind
        self.masterIndex = masterIndex
        self.operState = operState
        self.flags = flags
        self.mtu = mtu
        self.mac = mac
        self.group = group
        self.counters = counters
        self.hairpin = hairpin
        self.peerIndex = peerIndex
    }

    /// Administratively up (IFF_UP): what `ip link set up` sets.
    public var adminUp: Bool { flags & vnet_iff_up() != 0 }
    /// Carrier present (IFF_LOWER_UP).
    public var lowerUp: Bool { flags & vnet_iff_lower_up() != 0 }
    public var promiscuous: Bool { flags & vnet_iff_promisc() != 0 }
    public var isLoopback: Bool { flags & vnet_iff_loopback() != 0 }

    /// The model's view, with the master's name resolved by the caller (it needs the other links).
    public func info(masterName: String?) -> LinkInfo {
        LinkInfo(index: index, name: name, kind: kind, master: masterName, operState: operState.rawValue,
                 adminUp: adminUp, mtu: mtu, mac: mac, counters: counters ?? LinkCounters(), peerNamespaceID: peerNamespaceID)
    }

    /// Decodes an RTM_NEWLINK/RTM_DELLINK message; nil when it is not one or is malformed.
    init?(_ message: Message) {
        guard message.type == RTM_NEWLINK || message.type == RTM_DELLINK,
              let header = message.header(ifinfomsg.self) else { return nil }
        let attributes = message.attributes(after: ifinfomsg.self)
        guard let name = attributes.string(IFLA_IFNAME) else { return nil }
        self.init(index: header.ifi_index, name: name)
        flags = header.ifi_flags
        mtu = Int(attributes.u32(IFLA_MTU) ?? 0)
        masterIndex = attributes.i32(IFLA_MASTER).flatMap { $0 > 0 ? $0 : nil }
        operState = attributes.u8(IFLA_OPERSTATE).map(OperState.init(kernel:)) ?? .unknown
        mac = attributes.bytes(IFLA_ADDRESS).map(MAC.format) ?? ""
        group = attributes.u32(IFLA_GROUP) ?? 0
        peerIndex = attributes.i32(IFLA_LINK).flatMap { $0 > 0 && $0 != header.ifi_index ? $0 : nil }
        peerNamespaceID = attributes.i32(IFLA_LINK_NETNSID).flatMap { $0 >= 0 ? $0 : nil }
        if let info = attributes.nested(IFLA_LINKINFO) {
            kind = info.string(IFLA_INFO_KIND) ?? ""
            if info.string(IFLA_INFO_SLAVE_KIND) == "bridge", let port = info.nested(IFLA_INFO_SLAVE_DATA) {
                hairpin = port.u8(IFLA_BRPORT_MODE).map { $0 != 0 }
            }
        }
        if let stats = attributes.structure(IFLA_STATS64, zero: rtnl_link_stats64()) {
            counters = LinkCounters(rxBytes: stats.rx_bytes, txBytes: stats.tx_bytes,
                                    rxPackets: stats.rx_packets, txPackets: stats.tx_packets,
                                    rxDropped: stats.rx_dropped, txDropped: stats.tx_dropped,
                                    rxErrors: stats.rx_errors, txErrors: stats.tx_errors)
        }
    }
}

/// Hardware addresses as text, and fresh ones for the pod side of a veth.
public enum MAC {
    /// "aa:bb:cc:dd:ee:ff".
    public static func format(_ bytes: [UInt8]) -> String {
        let digits: StaticString = "0123456789abcdef"
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 3)
        for (index, byte) in bytes.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ":")) }
            text.append(digits.utf8Start[Int(byte >> 4)])
            text.append(digits.utf8Start[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Parses "aa:bb:cc:dd:ee:ff" (six groups of two hex digits).
    public static func parse(_ text: String) -> [UInt8]? {
        let groups = text.split(separator: ":", omittingEmptySubsequences: false)
        guard groups.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for group in groups {
            guard group.count == 2, let byte = UInt8(group, radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// A random unicast, locally administered address, as the kernel would pick for a veth. Choosing it
    /// ourselves lets ADD report the pod's MAC without a round trip into the pod's namespace.
    public static func random() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[0] = (bytes[0] & 0xFE) | 0x02
        return bytes
    }
}
