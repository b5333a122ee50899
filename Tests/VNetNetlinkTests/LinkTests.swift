import Foundation
import Glibc
import VNetModel
import VNetNetlink
import VNetSystem
import VNetTestSupport
import XCTest

final class LinkTests: NamespacedTestCase {
    func testBridgeCreationIsIdempotent() throws {
        let spec = BridgeSpec(name: "vnet0", mtu: 1400, address: IPv4Prefix("10.200.0.1/24"), promiscuous: true)
        let first = try netlink.ensureBridge(spec)
        let second = try netlink.ensureBridge(spec)
        XCTAssertEqual(first.index, second.index)
        XCTAssertEqual(first.mac, second.mac)
        XCTAssertEqual(second.kind, "bridge")
        XCTAssertTrue(second.adminUp)
        XCTAssertTrue(second.promiscuous)
        XCTAssertEqual(second.mtu, 1400)

        let shown = try XCTUnwrap(Shell.link(nodeName, "vnet0"))
        XCTAssertEqual((shown["linkinfo"] as? [String: Any])?["info_kind"] as? String, "bridge")
        let details = try XCTUnwrap(try Shell.ipJSON(nodeName, "-d", "link", "show", "vnet0").first)
        let data = (details["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any]
        XCTAssertEqual(data?["mcast_snooping"] as? Int, 0, "multicast snooping is off")
        XCTAssertEqual(shown["mtu"] as? Int, 1400)
        XCTAssertEqual(shown["ifindex"] as? Int, Int(first.index))
        XCTAssertEqual(shown["address"] as? String, first.mac)
        XCTAssertTrue((shown["flags"] as? [String])?.contains("UP") ?? false)
        XCTAssertTrue((shown["flags"] as? [String])?.contains("PROMISC") ?? false)
        let addresses = try Shell.ipJSON(nodeName, "addr", "show", "dev", "vnet0")
        let inet = (addresses.first?["addr_info"] as? [[String: Any]] ?? []).filter { $0["family"] as? String == "inet" }
        XCTAssertEqual(inet.count, 1, "the address is added once")
        XCTAssertEqual(inet.first?["local"] as? String, "10.200.0.1")
        XCTAssertEqual(inet.first?["prefixlen"] as? Int, 24)

        // Drift is repaired: down and a different MTU come back.
        try Shell.run(["ip", "-n", nodeName, "link", "set", "vnet0", "down", "mtu", "1300"])
        let repaired = try netlink.ensureBridge(spec)
        XCTAssertEqual(repaired.index, first.index)
        XCTAssertTrue(repaired.adminUp)
        XCTAssertEqual(repaired.mtu, 1400)
    }

    func testANonBridgeOfTheBridgeNameIsAnError() throws {
        try Shell.run(["ip", "-n", nodeName, "link", "add", "name", "vnet0", "type", "veth", "peer", "name", "other0"])
        XCTAssertThrowsError(try netlink.ensureBridge(BridgeSpec(name: "vnet0"))) { error in
            let failure = error as? NetlinkError
            XCTAssertEqual(failure?.errno, EEXIST)
            XCTAssertEqual(failure?.object, "vnet0")
            XCTAssertTrue(failure?.description.contains("is a veth, not a bridge") ?? false, "\(error)")
        }
        XCTAssertEqual((try Shell.link(nodeName, "vnet0")?["linkinfo"] as? [String: Any])?["info_kind"] as? String, "veth")
    }

    func testVethPeerIsBornInThePodNamespaceAndTheHostEndJoinsTheBridge() throws {
        let bridge = try netlink.ensureBridge(BridgeSpec(name: "vnet0", mtu: 1450))
        let host = hostName(1)
        let pair = try netlink.createVeth(VethSpec(hostName: host, peerName: "eth0", peerNamespace: pod, mtu: 1450,
                                                   master: bridge.index, group: 77, hairpin: true))
        XCTAssertEqual(pair.host.name, host)
        XCTAssertEqual(pair.host.kind, "veth")
        XCTAssertEqual(pair.host.masterIndex, bridge.index)
        XCTAssertEqual(pair.host.group, 77)
        XCTAssertTrue(pair.host.adminUp)
        XCTAssertEqual(pair.host.mtu, 1450)
        XCTAssertEqual(pair.host.hairpin, true)

        // Host end, seen from outside.
        let shownHost = try XCTUnwrap(Shell.link(nodeName, host))
        XCTAssertEqual(shownHost["master"] as? String, "vnet0")
        XCTAssertEqual(shownHost["ifindex"] as? Int, Int(pair.host.index))
        XCTAssertEqual(shownHost["group"] as? String, "77")
        let slave = (shownHost["linkinfo"] as? [String: Any])?["info_slave_data"] as? [String: Any]
        XCTAssertEqual(slave?["hairpin"] as? Bool, true)
        XCTAssertNil(try Shell.link(nodeName, "eth0"), "the peer is not in the node namespace")

        // Pod end: named eth0 from birth, with our MAC and MTU; down until the pod is configured.
        let shownPeer = try XCTUnwrap(Shell.link(podName, "eth0"))
        XCTAssertEqual(shownPeer["address"] as? String, pair.peerMAC)
        XCTAssertEqual(shownPeer["mtu"] as? Int, 1450)
        XCTAssertFalse((shownPeer["flags"] as? [String])?.contains("UP") ?? true)
        XCTAssertEqual(shownPeer["link_index"] as? Int, Int(pair.host.index), "the peer points back at the host end")
        let mac = try XCTUnwrap(MAC.parse(pair.peerMAC))
        XCTAssertEqual(mac[0] & 0x03, 0x02, "unicast, locally administered")

        // Our own dump agrees, with the master resolved to its name.
        let infos = try netlink.links()
        let info = try XCTUnwrap(infos.first { $0.name == host })
        XCTAssertEqual(info.master, "vnet0")
        XCTAssertEqual(info.kind, "veth")
        XCTAssertEqual(info.mac, shownHost["address"] as? String)
        XCTAssertEqual(info.operState.rawValue, (shownHost["operstate"] as? String)?.lowercased())
        // The peer lives in another namespace, which the kernel names by its id here: the witness that the
        // pod's namespace is alive, whatever its path shows from another mount namespace.
        XCTAssertEqual(info.peerNamespaceID.map(Int.init), shownHost["link_netnsid"] as? Int)
        XCTAssertTrue(info.hasPeerInOtherNamespace)
        XCTAssertFalse(try XCTUnwrap(infos.first { $0.name == "vnet0" }).hasPeerInOtherNamespace)
        let podView = try Netlink(in: pod).link(named: "eth0")
        XCTAssertEqual(podView?.mac, pair.peerMAC)
        XCTAssertEqual(podView?.peerIndex, pair.host.index)

        // The counters-only dump covers the same links with the same counters.
        let counters = try netlink.linkCounters()
        XCTAssertEqual(Set(counters.keys), Set(infos.map(\.index)))
        XCTAssertEqual(counters[info.index]?.txPackets, try netlink.links().first { $0.name == host }?.counters.txPackets)
    }

    func testDeletingTheHostEndRemovesThePeer() throws {
        let host = hostName(2)
        _ = try netlink.createVeth(VethSpec(hostName: host, peerName: "eth0", peerNamespace: pod))
        XCTAssertNotNil(try Shell.link(podName, "eth0"))
        XCTAssertTrue(try netlink.deleteLink(named: host))
        XCTAssertNil(try Shell.link(nodeName, host))
        XCTAssertNil(try Shell.link(podName, "eth0"))
        XCTAssertFalse(try netlink.deleteLink(named: host), "deleting a missing link is success, reported as false")
        XCTAssertNil(try netlink.link(named: host))
    }

    func testGroupDeleteRemovesFiftyVethsInOneRequest() throws {
        let bridge = try netlink.ensureBridge(BridgeSpec(name: "vnet0"))
        let group: UInt32 = 4242
        let names = (0..<50).map { hostName(100 + $0) }
        let createStart = MonotonicClock.seconds()
        for (n, name) in names.enumerated() {
            _ = try netlink.createVeth(VethSpec(hostName: name, peerName: "eth\(n)", peerNamespace: pod, mtu: 1500,
                                                master: bridge.index, group: group))
        }
        let created = MonotonicClock.seconds() - createStart
        // An unrelated veth outside the group must survive.
        let bystander = hostName(99)
        _ = try netlink.createVeth(VethSpec(hostName: bystander, peerName: "keep0", peerNamespace: pod))
        XCTAssertEqual(try netlink.links().filter { $0.group == group }.count, 50)

        let deleteStart = MonotonicClock.seconds()
        XCTAssertTrue(try netlink.deleteLinks(group: group))
        let deleted = MonotonicClock.seconds() - deleteStart
        print("50 veths: created one by one in \(Int(created * 1000)) ms, deleted by group in \(Int(deleted * 1000)) ms")

        let left = try Shell.ipJSON(nodeName, "link", "show").compactMap { $0["ifname"] as? String }
        XCTAssertTrue(Set(left).isDisjoint(with: names), "left: \(left)")
        XCTAssertTrue(left.contains(bystander))
        let podLeft = try Shell.ipJSON(podName, "link", "show").compactMap { $0["ifname"] as? String }
        XCTAssertEqual(Set(podLeft), ["lo", "keep0"], "the peers went with their host ends")
        XCTAssertFalse(try netlink.deleteLinks(group: group), "an empty group is reported, not an error")

        // For comparison (printed, not asserted: timing depends on the machine): ten deleted one by one.
        let single = (0..<10).map { hostName(200 + $0) }
        for name in single { _ = try netlink.createVeth(VethSpec(hostName: name, peerName: "x\(name.suffix(3))", peerNamespace: pod)) }
        let singleStart = MonotonicClock.seconds()
        for name in single { XCTAssertTrue(try netlink.deleteLink(named: name)) }
        let perLink = (MonotonicClock.seconds() - singleStart) / 10
        print("one by one: \(String(format: "%.2f", perLink * 1000)) ms per veth; by group: \(String(format: "%.2f", deleted * 1000 / 50)) ms per veth")
    }

    func testErrorsCarryTheKernelsErrnoAndName() throws {
        let host = hostName(3)
        _ = try netlink.createVeth(VethSpec(hostName: host, peerName: "eth0", peerNamespace: pod))

        // The host name is taken.
        XCTAssertThrowsError(try netlink.createVeth(VethSpec(hostName: host, peerName: "eth1", peerNamespace: pod))) { error in
            let failure = error as? NetlinkError
            XCTAssertEqual(failure?.errno, EEXIST)
            XCTAssertEqual(failure?.operation, "create veth")
            XCTAssertTrue(failure?.object.hasPrefix(host) ?? false)
            XCTAssertTrue(failure?.isAlreadyExists ?? false)
        }
        // The pod name is taken: nothing is left behind in the node.
        let other = hostName(4)
        XCTAssertThrowsError(try netlink.createVeth(VethSpec(hostName: other, peerName: "eth0", peerNamespace: pod))) { error in
            XCTAssertEqual((error as? NetlinkError)?.errno, EEXIST)
        }
        XCTAssertNil(try netlink.link(named: other))

        // Refused before the kernel sees them.
        XCTAssertThrowsError(try netlink.createVeth(VethSpec(hostName: "a-name-far-too-long", peerName: "eth0"))) { error in
            XCTAssertEqual((error as? NetlinkError)?.errno, ERANGE)
        }
        XCTAssertThrowsError(try netlink.deleteLink(named: "bad/name")) { error in
            XCTAssertEqual((error as? NetlinkError)?.errno, EINVAL)
        }
        XCTAssertThrowsError(try netlink.deleteLinks(group: 0)) { error in
            XCTAssertEqual((error as? NetlinkError)?.errno, EINVAL)
        }
        // The kernel's own refusal, with its extended-ack text.
        XCTAssertThrowsError(try netlink.setLink(named: "nosuch0", LinkChanges(up: true))) { error in
            XCTAssertEqual((error as? NetlinkError)?.errno, ENODEV)
            XCTAssertTrue((error as? NetlinkError)?.isNotFound ?? false)
        }
        XCTAssertThrowsError(try netlink.setLink(named: host, LinkChanges(master: 9999))) { error in
            let failure = error as? NetlinkError
            XCTAssertNotNil(failure)
            XCTAssertNotEqual(failure?.errno, 0)
            XCTAssertTrue(failure?.description.contains("errno") ?? false)
        }
    }

    func testSetLinkChangesStateAndMasterAndGroup() throws {
        let bridge = try netlink.ensureBridge(BridgeSpec(name: "vnet0"))
        let host = hostName(5)
        let pair = try netlink.createVeth(VethSpec(hostName: host, peerName: "eth0", peerNamespace: pod, hostUp: false))
        XCTAssertFalse(pair.host.adminUp)
        XCTAssertNil(pair.host.masterIndex)
        try netlink.setLink(index: pair.host.index, LinkChanges(up: true, mtu: 1280, master: bridge.index, group: 9))
        var link = try XCTUnwrap(try netlink.link(named: host))
        XCTAssertTrue(link.adminUp)
        XCTAssertEqual(link.mtu, 1280)
        XCTAssertEqual(link.masterIndex, bridge.index)
        XCTAssertEqual(link.group, 9)
        try netlink.setLink(named: host, LinkChanges(up: false, master: 0))
        link = try XCTUnwrap(try netlink.link(index: pair.host.index))
        XCTAssertFalse(link.adminUp)
        XCTAssertNil(link.masterIndex)
        XCTAssertNil(try Shell.link(nodeName, host)?["master"])
    }
}
