import CMnl
import VNetModel

extension OperState {
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

extension Link {
    /// Decodes an RTM_NEWLINK/RTM_DELLINK message; nil when it is not one or is malformed. The master's name
    /// is left for the caller, who has the other links.
    init?(_ message: Message) {
        guard message.type == RTM_NEWLINK || message.type == RTM_DELLINK,
              let header = message.header(ifinfomsg.self) else { return nil }
        let attributes = message.attributes(after: ifinfomsg.self)
        guard let name = attributes.string(IFLA_IFNAME) else { return nil }
        self.init(index: header.ifi_index, name: name)
        let flags = header.ifi_flags
        adminUp = flags & vnet_iff_up() != 0
        lowerUp = flags & vnet_iff_lower_up() != 0
        promiscuous = flags & vnet_iff_promisc() != 0
        isLoopback = flags & vnet_iff_loopback() != 0
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
