#if canImport(Glibc)
import Glibc
#endif
import CMnl
import VNetModel

/// Lays nf_tables netlink messages one after another in a buffer (libmnl puts the headers and attributes).
struct MessageWriter {
    private let buffer: UnsafeMutableRawBufferPointer
    private var length = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[0..<length]) }

    /// A new message of `type` (an nf_tables message, or a batch delimiter) with its nfgenmsg header.
    private mutating func message(type: UInt32, flags: Int32, family: UInt8, resourceID: UInt16, sequence: UInt32,
                                  _ attributes: (UnsafeMutablePointer<nlmsghdr>) -> Void) {
        guard let base = buffer.baseAddress else { return }
        let nlh = mnl_nlmsg_put_header(base + length)!
        nlh.pointee.nlmsg_type = UInt16(type)
        nlh.pointee.nlmsg_flags = UInt16(vnet_nlm_f_request() | flags)
        nlh.pointee.nlmsg_seq = sequence
        let header = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<nfgenmsg>.size).assumingMemoryBound(to: nfgenmsg.self)
        header.pointee.nfgen_family = family
        header.pointee.version = vnet_nfnetlink_v0()
        header.pointee.res_id = resourceID.bigEndian
        attributes(nlh)
        length += Int(nlh.pointee.nlmsg_len)
    }

    mutating func batchDelimiter(_ type: UInt32, sequence: UInt32) {
        message(type: type, flags: 0, family: vnet_nfproto_unspec(), resourceID: UInt16(vnet_nfnl_subsys_nftables()),
                sequence: sequence) { _ in }
    }

    /// NEWSETELEM, DELSETELEM or GETSETELEM of `elements` (key bytes, and data bytes for a map) in `set` of
    /// table `ip table`. A field of a concatenated key is padded to 4 bytes by the caller.
    mutating func elements(_ command: UInt32, table: String, set: String, raw elements: [NftRawElement], sequence: UInt32,
                           create: Bool = false) {
        let flags = vnet_nlm_f_ack() | (create ? vnet_nlm_f_create() : 0)
        message(type: vnet_nfnl_subsys_nftables() << 8 | command, flags: flags, family: vnet_nfproto_ipv4(), resourceID: 0,
                sequence: sequence) { nlh in
            mnl_attr_put_strz(nlh, UInt16(NFTA_SET_ELEM_LIST_TABLE.rawValue), table)
            mnl_attr_put_strz(nlh, UInt16(NFTA_SET_ELEM_LIST_SET.rawValue), set)
            let list = mnl_attr_nest_start(nlh, UInt16(NFTA_SET_ELEM_LIST_ELEMENTS.rawValue))
            for raw in elements {
                let element = mnl_attr_nest_start(nlh, UInt16(NFTA_LIST_ELEM.rawValue))
                let key = mnl_attr_nest_start(nlh, UInt16(NFTA_SET_ELEM_KEY.rawValue))
                raw.key.withUnsafeBytes { mnl_attr_put(nlh, UInt16(NFTA_DATA_VALUE.rawValue), $0.count, $0.baseAddress) }
                mnl_attr_nest_end(nlh, key)
                // GETSETELEM names the key only; the kernel answers with the data.
                if let data = raw.data, command != NFT_MSG_GETSETELEM.rawValue {
                    let nest = mnl_attr_nest_start(nlh, UInt16(NFTA_SET_ELEM_DATA.rawValue))
                    data.withUnsafeBytes { mnl_attr_put(nlh, UInt16(NFTA_DATA_VALUE.rawValue), $0.count, $0.baseAddress) }
                    mnl_attr_nest_end(nlh, nest)
                }
                mnl_attr_nest_end(nlh, element)
            }
            mnl_attr_nest_end(nlh, list)
        }
    }

    /// GETSET of one set of table `ip table`.
    mutating func getSet(table: String, set: String, sequence: UInt32) {
        message(type: vnet_nfnl_subsys_nftables() << 8 | NFT_MSG_GETSET.rawValue, flags: vnet_nlm_f_ack(),
                family: vnet_nfproto_ipv4(), resourceID: 0, sequence: sequence) { nlh in
            mnl_attr_put_strz(nlh, UInt16(NFTA_SET_TABLE.rawValue), table)
            mnl_attr_put_strz(nlh, UInt16(NFTA_SET_NAME.rawValue), set)
        }
    }

    /// A dump of the sets of table `ip table`.
    mutating func setDump(table: String, sequence: UInt32) {
        message(type: vnet_nfnl_subsys_nftables() << 8 | NFT_MSG_GETSET.rawValue, flags: vnet_nlm_f_dump(),
                family: vnet_nfproto_ipv4(), resourceID: 0, sequence: sequence) { nlh in
            mnl_attr_put_strz(nlh, UInt16(NFTA_SET_TABLE.rawValue), table)
        }
    }

    /// A dump of the elements of `set` in table `ip table`.
    mutating func elementDump(table: String, set: String, sequence: UInt32) {
        message(type: vnet_nfnl_subsys_nftables() << 8 | NFT_MSG_GETSETELEM.rawValue, flags: vnet_nlm_f_dump(),
                family: vnet_nfproto_ipv4(), resourceID: 0, sequence: sequence) { nlh in
            mnl_attr_put_strz(nlh, UInt16(NFTA_SET_ELEM_LIST_TABLE.rawValue), table)
            mnl_attr_put_strz(nlh, UInt16(NFTA_SET_ELEM_LIST_SET.rawValue), set)
        }
    }

    /// A dump of the rules of table `ip table`.
    mutating func ruleDump(table: String, sequence: UInt32) {
        message(type: vnet_nfnl_subsys_nftables() << 8 | NFT_MSG_GETRULE.rawValue, flags: vnet_nlm_f_dump(),
                family: vnet_nfproto_ipv4(), resourceID: 0, sequence: sequence) { nlh in
            mnl_attr_put_strz(nlh, UInt16(NFTA_RULE_TABLE.rawValue), table)
        }
    }
}

/// A set or map element as the kernel holds it: key bytes, and data bytes for a map.
struct NftRawElement: Hashable {
    var key: [UInt8]
    var data: [UInt8]?
}
