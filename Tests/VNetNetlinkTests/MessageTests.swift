import CMnl
import Glibc
import VNetModel
@testable import VNetNetlink
import XCTest

/// The message plumbing on its own: what the builder writes, the parser reads back. No kernel involved.
final class MessageTests: XCTestCase {
    private let label = RequestLabel(operation: "test", object: "x")

    /// Builds one message with `build` and returns its bytes.
    private func build(_ type: Int = RTM_NEWLINK, header: ifinfomsg = ifinfomsg(), capacity: Int = 4096,
                       _ body: (MessageWriter) throws(NetlinkError) -> Void) throws -> [UInt8] {
        var batch = RequestBatch(capacity: capacity)
        try batch.add(type, header: header, label: label, body)
        return Array(batch.bytes)
    }

    func testNestedAttributesRoundTrip() throws {
        var header = ifinfomsg()
        header.ifi_index = 42
        header.ifi_flags = vnet_iff_up()
        let bytes = try build(header: header) { writer throws(NetlinkError) in
            try writer.put(IFLA_IFNAME, string: "vn0123456789ab")
            try writer.put(IFLA_MTU, u32: 1450)
            try writer.put(IFLA_ADDRESS, bytes: [2, 0, 0, 0, 0, 1])
            try writer.nest(IFLA_LINKINFO) { info throws(NetlinkError) in
                try info.put(IFLA_INFO_KIND, string: "veth")
                try info.nest(IFLA_INFO_DATA) { data throws(NetlinkError) in
                    try data.nest(VETH_INFO_PEER) { peer throws(NetlinkError) in
                        var peerHeader = ifinfomsg()
                        peerHeader.ifi_index = 7
                        try peer.putStruct(peerHeader)
                        try peer.put(IFLA_IFNAME, string: "eth0")
                    }
                }
            }
        }
        let message = try XCTUnwrap(Message(bytes: bytes))
        XCTAssertEqual(Int(message.type), RTM_NEWLINK)
        XCTAssertEqual(Int32(message.flags) & vnet_nlm_f_ack(), vnet_nlm_f_ack(), "every non-dump request asks for an ack")
        let link = try XCTUnwrap(Link(message))
        XCTAssertEqual(link.index, 42)
        XCTAssertEqual(link.name, "vn0123456789ab")
        XCTAssertEqual(link.mtu, 1450)
        XCTAssertEqual(link.mac, "02:00:00:00:00:01")
        XCTAssertEqual(link.kind, "veth")
        XCTAssertTrue(link.adminUp)

        // The peer's payload is an ifinfomsg followed by attributes.
        let attributes = message.attributes(after: ifinfomsg.self)
        let peer = try XCTUnwrap(attributes.nested(IFLA_LINKINFO)?.nested(IFLA_INFO_DATA)?.bytes(VETH_INFO_PEER))
        let peerHeader = peer.withUnsafeBytes { $0.loadUnaligned(as: ifinfomsg.self) }
        XCTAssertEqual(peerHeader.ifi_index, 7)
        let headerSize = Int(vnet_mnl_align(MemoryLayout<ifinfomsg>.size))
        XCTAssertEqual(Attributes(bytes: peer, range: headerSize..<peer.count).string(IFLA_IFNAME), "eth0")
        XCTAssertEqual(attributes.types.sorted(), [UInt16(IFLA_ADDRESS), UInt16(IFLA_IFNAME), UInt16(IFLA_MTU), UInt16(IFLA_LINKINFO)].sorted())
    }

    func testDumpsAskForNoAckAndAddressesAreInNetworkOrder() throws {
        var batch = RequestBatch()
        try batch.add(RTM_GETROUTE, flags: vnet_nlm_f_dump(), header: rtmsg(), label: label) { writer throws(NetlinkError) in
            try writer.put(RTA_DST.rawValue, address: IPv4Address(10, 240, 0, 4))
        }
        let message = try XCTUnwrap(Message(bytes: Array(batch.bytes)))
        XCTAssertEqual(Int32(message.flags) & vnet_nlm_f_ack(), 0)
        let attributes = message.attributes(after: rtmsg.self)
        XCTAssertEqual(attributes.bytes(RTA_DST.rawValue), [10, 240, 0, 4])
        XCTAssertEqual(attributes.address(RTA_DST.rawValue), IPv4Address(10, 240, 0, 4))
        XCTAssertNil(attributes.u32(RTA_OIF.rawValue))
    }

    func testBatchesHoldSeveralRequestsAndRefuseOverflow() throws {
        var batch = RequestBatch(capacity: 128)
        try batch.add(RTM_GETLINK, header: ifinfomsg(), label: label) { writer throws(NetlinkError) in
            try writer.put(IFLA_IFNAME, string: "a")
        }
        try batch.add(RTM_GETLINK, header: ifinfomsg(), label: label) { writer throws(NetlinkError) in
            try writer.put(IFLA_IFNAME, string: "b")
        }
        XCTAssertEqual(batch.entries.count, 2)
        let lengthBefore = batch.length
        XCTAssertThrowsError(try batch.add(RTM_GETLINK, header: ifinfomsg(), label: label) { writer throws(NetlinkError) in
            try writer.put(IFLA_IFNAME, bytes: [UInt8](repeating: 65, count: 200))
        }) { error in
            XCTAssertEqual((error as? NetlinkError)?.errno, EMSGSIZE)
        }
        XCTAssertEqual(batch.entries.count, 2, "a request that does not fit is dropped whole")
        XCTAssertEqual(batch.length, lengthBefore)
        XCTAssertEqual(Int(batch.header(1).pointee.nlmsg_type), RTM_GETLINK)
    }

    func testStructuresCopyAtMostTheirSizeAndZeroTheRest() throws {
        // A shorter payload (an older kernel) fills the front; a longer one (a newer kernel) is cut.
        let short = try build { writer throws(NetlinkError) in
            try writer.put(IFLA_STATS64, bytes: [UInt8](repeating: 0, count: 8) + [5, 0, 0, 0, 0, 0, 0, 0])
        }
        let stats = try XCTUnwrap(Message(bytes: short)?.attributes(after: ifinfomsg.self)
            .structure(IFLA_STATS64, zero: rtnl_link_stats64()))
        XCTAssertEqual(stats.rx_packets, 0)
        XCTAssertEqual(stats.tx_packets, 5)
        XCTAssertEqual(stats.rx_bytes, 0)

        let size = MemoryLayout<rtnl_link_stats64>.size
        var long = [UInt8](repeating: 0, count: size + 64)
        long[16] = 9 // rx_bytes
        let longBytes = try build { writer throws(NetlinkError) in
            try writer.put(IFLA_STATS64, bytes: long)
            try writer.put(IFLA_IFNAME, string: "x")
        }
        let link = try XCTUnwrap(Link(try XCTUnwrap(Message(bytes: longBytes))))
        XCTAssertEqual(link.counters.rxBytes, 9)
        XCTAssertEqual(link.name, "x")
    }

    func testMACFormatting() {
        XCTAssertEqual(MAC.format([0x02, 0x0a, 0xff, 0, 1, 0x10]), "02:0a:ff:00:01:10")
        XCTAssertEqual(MAC.parse("02:0a:ff:00:01:10"), [0x02, 0x0a, 0xff, 0, 1, 0x10])
        XCTAssertNil(MAC.parse("02:0a:ff:00:01"))
        XCTAssertNil(MAC.parse("02:0a:ff:00:01:1g"))
        for _ in 0..<20 {
            let mac = MAC.random()
            XCTAssertEqual(mac.count, 6)
            XCTAssertEqual(mac[0] & 0x01, 0, "unicast")
            XCTAssertEqual(mac[0] & 0x02, 0x02, "locally administered")
        }
    }

    func testOperStatesAndErrorText() {
        XCTAssertEqual(OperState(kernel: vnet_if_oper_up()), .up)
        XCTAssertEqual(OperState(kernel: vnet_if_oper_lowerlayerdown()).rawValue, "lowerlayerdown")
        XCTAssertEqual(OperState(kernel: 200), .unknown)
        let error = NetlinkError(operation: "create veth", object: "vn1", errno: EEXIST, detail: "name taken")
        XCTAssertEqual(error.description, "create veth vn1: File exists (errno \(EEXIST)): name taken")
        XCTAssertTrue(error.isAlreadyExists)
        XCTAssertFalse(error.isNotFound)
    }
}
