#if canImport(Glibc)
import Glibc
#endif
import CMnl
import VNetModel

/// One rule of our table as the kernel dumps it: where it is, its comment, its counter, and the address of
/// its SNAT (the `immediate` that feeds a `nat` expression).
struct NftRule {
    var chain: String
    var handle: Int
    var comment: String?
    var counter: (packets: UInt64, bytes: UInt64)?
    var snatAddress: IPv4Address?

    /// libnftnl's rule user-data type for a comment (`NFTNL_UDATA_RULE_COMMENT` in libnftnl/udata.h, a
    /// header this build does not use): nft stores a rule's comment as this TLV.
    static let commentUserDataType: UInt8 = 0

    init?(_ message: UnsafePointer<nlmsghdr>) {
        var chain: String?
        var handle = 0
        var comment: String?
        var counter: (packets: UInt64, bytes: UInt64)?
        var immediate: IPv4Address?
        var translates = false
        NftAttributes.payload(of: message).forEach { type, value in
            switch type {
            case NFTA_RULE_CHAIN.rawValue: chain = value.string
            case NFTA_RULE_HANDLE.rawValue: handle = Int(truncatingIfNeeded: value.uint64 ?? 0)
            case NFTA_RULE_USERDATA.rawValue: comment = Self.comment(in: value.bytes)
            case NFTA_RULE_EXPRESSIONS.rawValue:
                value.forEach { type, expression in
                    guard type == NFTA_LIST_ELEM.rawValue else { return }
                    switch expression.expressionName {
                    case "counter": counter = counter ?? expression.counter
                    case "nat": translates = true
                    case "immediate":
                        expression.expressionData?.forEach { type, data in
                            guard type == NFTA_IMMEDIATE_DATA.rawValue else { return }
                            data.forEach { type, raw in
                                if type == NFTA_DATA_VALUE.rawValue, let value = raw.uint32 { immediate = IPv4Address(value) }
                            }
                        }
                    default: break
                    }
                }
            default: break
            }
        }
        guard let chain else { return nil }
        self.chain = chain
        self.handle = handle
        self.comment = comment
        self.counter = counter
        snatAddress = translates ? immediate : nil
    }

    /// The comment in nft's rule user data: records of a type byte, a length byte and the value.
    private static func comment(in bytes: UnsafeRawBufferPointer) -> String? {
        var index = 0
        while index + 2 <= bytes.count {
            let type = bytes[index], length = Int(bytes[index + 1])
            guard index + 2 + length <= bytes.count else { return nil }
            if type == commentUserDataType {
                return String(decoding: bytes[(index + 2)..<(index + 2 + length)].prefix { $0 != 0 }, as: UTF8.self)
            }
            index += 2 + length
        }
        return nil
    }
}

/// A run of netlink attributes (a message's payload after its nfgenmsg header, or a nested attribute's
/// value), read without copying. Only valid while the received datagram is.
struct NftAttributes {
    let bytes: UnsafeRawBufferPointer

    /// The attributes of an nf_tables message.
    static func payload(of message: UnsafePointer<nlmsghdr>) -> NftAttributes {
        guard let payload = mnl_nlmsg_get_payload(message) else { return NftAttributes(bytes: UnsafeRawBufferPointer(start: nil, count: 0)) }
        let total = Int(mnl_nlmsg_get_payload_len(message))
        let skip = min(total, Int(vnet_mnl_align(MemoryLayout<nfgenmsg>.size)))
        return NftAttributes(bytes: UnsafeRawBufferPointer(start: UnsafeRawPointer(payload) + skip, count: total - skip))
    }

    /// Calls `body` with each attribute's type (flag bits cleared) and value; stops at a malformed one.
    func forEach(_ body: (UInt32, NftAttributes) -> Void) {
        guard let base = bytes.baseAddress else { return }
        let headerSize = MemoryLayout<nlattr>.size
        var offset = 0
        while offset + headerSize <= bytes.count {
            let header = (base + offset).loadUnaligned(as: nlattr.self)
            let length = Int(header.nla_len)
            guard length >= headerSize, offset + length <= bytes.count else { return }
            body(UInt32(header.nla_type) & 0x3FFF,
                 NftAttributes(bytes: UnsafeRawBufferPointer(start: base + offset + headerSize, count: length - headerSize)))
            offset += Int(vnet_mnl_align(length))
        }
    }

    var string: String { String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) }

    /// A big-endian 32-bit value (an IPv4 address in nft data) in host order.
    var uint32: UInt32? { bytes.count == 4 ? UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)) : nil }

    /// A big-endian 64-bit value in host order.
    var uint64: UInt64? { bytes.count == 8 ? UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)) : nil }

    /// An expression's name (NFTA_EXPR_NAME).
    var expressionName: String? {
        var name: String?
        forEach { type, value in if type == NFTA_EXPR_NAME.rawValue { name = value.string } }
        return name
    }

    var expressionData: NftAttributes? {
        var data: NftAttributes?
        forEach { type, value in if type == NFTA_EXPR_DATA.rawValue { data = value } }
        return data
    }

    /// Packets and bytes of a `counter` expression; nil for any other expression.
    var counter: (packets: UInt64, bytes: UInt64)? {
        guard expressionName == "counter", let data = expressionData else { return nil }
        var packets: UInt64 = 0, bytes: UInt64 = 0
        data.forEach { type, value in
            if type == NFTA_COUNTER_PACKETS.rawValue { packets = value.uint64 ?? 0 }
            if type == NFTA_COUNTER_BYTES.rawValue { bytes = value.uint64 ?? 0 }
        }
        return (packets, bytes)
    }
}
