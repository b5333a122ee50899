import Foundation
import Glibc
import VNetModel
import VNetNetlink
import VNetSystem
import VNetTestSupport
import XCTest

/// A pod plugged into a node the way ADD does it, then checked from outside with `ip` and by traffic.
final class PodNetworkTests: NamespacedTestCase {
    private let gateway = IPv4Address(10, 200, 0, 1)
    private let podAddress = IPv4Prefix("10.200.0.10/24")!

    /// Bridge with the gateway address, veth into the pod, pod configured. Returns the pair.
    private func plugPod() throws -> VethPair {
        let bridge = try netlink.ensureBridge(BridgeSpec(name: "vnet0", mtu: 1500,
                                                         address: IPv4Prefix(address: gateway, length: 24)))
        let pair = try netlink.createVeth(VethSpec(hostName: hostName(1), peerName: "eth0", peerNamespace: pod,
                                                   mtu: 1500, master: bridge.index))
        let extra = Route(destination: IPv4Prefix("10.99.0.0/16")!, gateway: gateway)
        let inPod = try Netlink(in: pod)
        try inPod.configureInterface(InterfaceSetup(name: "eth0", address: podAddress, gateway: gateway, routes: [extra]))
        return pair
    }

    func testPodGetsAddressRoutesAndLoopbackAndReachesTheBridge() throws {
        let pair = try plugPod()

        let addresses = try Shell.ipJSON(podName, "addr", "show")
        let eth0 = try XCTUnwrap(addresses.first { $0["ifname"] as? String == "eth0" })
        let inet = (eth0["addr_info"] as? [[String: Any]] ?? []).filter { $0["family"] as? String == "inet" }
        XCTAssertEqual(inet.first?["local"] as? String, "10.200.0.10")
        XCTAssertEqual(inet.first?["prefixlen"] as? Int, 24)
        let lo = try XCTUnwrap(addresses.first { $0["ifname"] as? String == "lo" })
        XCTAssertTrue((lo["flags"] as? [String])?.contains("UP") ?? false, "lo is up")

        let routes = try Shell.ipJSON(podName, "route", "show")
        let defaultRoute = try XCTUnwrap(routes.first { $0["dst"] as? String == "default" })
        XCTAssertEqual(defaultRoute["gateway"] as? String, "10.200.0.1")
        XCTAssertEqual(defaultRoute["dev"] as? String, "eth0")
        let extra = try XCTUnwrap(routes.first { $0["dst"] as? String == "10.99.0.0/16" })
        XCTAssertEqual(extra["gateway"] as? String, "10.200.0.1")

        // CHECK's view, read back through our own dumps.
        let view = try XCTUnwrap(try Netlink(in: pod).inspectInterface(named: "eth0"))
        XCTAssertEqual(view.link.mac, pair.peerMAC)
        XCTAssertTrue(view.link.adminUp)
        XCTAssertEqual(view.addresses.map(\.prefix), [podAddress])
        XCTAssertEqual(view.routes.first { $0.isDefault }?.gateway, gateway)
        XCTAssertEqual(view.routes.first { $0.destination == IPv4Prefix("10.99.0.0/16") }?.gateway, gateway)
        XCTAssertTrue(view.routes.contains { $0.destination == IPv4Prefix("10.200.0.0/24") && $0.gateway == nil },
                      "the connected route of the subnet")
        XCTAssertNil(try Netlink(in: pod).inspectInterface(named: "eth9"))

        // Configuring again converges instead of failing (NLM_F_REPLACE).
        try Netlink(in: pod).configureInterface(InterfaceSetup(name: "eth0", address: podAddress, gateway: gateway))

        // Traffic: the pod reaches the bridge's address, and the host end counts it.
        let before = try XCTUnwrap(try netlink.link(named: pair.host.name)?.counters)
        try Shell.run(["ip", "netns", "exec", podName, "ping", "-c", "2", "-i", "0.2", "-W", "1", "10.200.0.1"])
        let after = try XCTUnwrap(try netlink.link(named: pair.host.name)?.counters)
        XCTAssertGreaterThan(after.rxPackets, before.rxPackets, "echo requests arrive on the host end")
        XCTAssertGreaterThan(after.txPackets, before.txPackets, "echo replies leave by it")
        XCTAssertGreaterThan(after.rxBytes, before.rxBytes)
        let info = try XCTUnwrap(try netlink.links().first { $0.name == pair.host.name })
        XCTAssertGreaterThanOrEqual(info.counters.rxPackets, after.rxPackets)
        XCTAssertEqual(info.operState, .up)
    }

    func testAnInterfaceWithoutIPv6LinkLocalGetsNoneAndLoopbackKeepsItsOwn() throws {
        let bridge = try netlink.ensureBridge(BridgeSpec(name: "vnet0", address: IPv4Prefix(address: gateway, length: 24)))
        _ = try netlink.createVeth(VethSpec(hostName: hostName(1), peerName: "eth0", peerNamespace: pod, mtu: 1500,
                                            master: bridge.index))
        try Netlink(in: pod).configureInterface(InterfaceSetup(name: "eth0", address: podAddress, gateway: gateway,
                                                               ipv6LinkLocal: false))
        let link = try XCTUnwrap(try Shell.ipJSON(podName, "-d", "link", "show", "eth0").first)
        XCTAssertEqual(link["inet6_addr_gen_mode"] as? String, "none")
        XCTAssertTrue((link["flags"] as? [String])?.contains("UP") ?? false)
        let addresses = try Shell.ipJSON(podName, "addr", "show")
        func inet6(_ name: String) -> [String] {
            let entry = addresses.first { $0["ifname"] as? String == name }
            return (entry?["addr_info"] as? [[String: Any]] ?? []).filter { $0["family"] as? String == "inet6" }
                .compactMap { $0["local"] as? String }
        }
        XCTAssertEqual(inet6("eth0"), [], "no link-local address")
        XCTAssertEqual(inet6("lo"), ["::1"])
        // IPv4 is as always.
        try Shell.run(["ip", "netns", "exec", podName, "ping", "-c", "3", "-i", "0.2", "-W", "1", "10.200.0.1"])
    }

    func testHostRouteToThePodAndRouteDeletion() throws {
        let pair = try plugPod()
        let bridge = try XCTUnwrap(try netlink.link(named: "vnet0"))
        XCTAssertEqual(pair.host.masterIndex, bridge.index)
        // A /32 through the bridge, as ADD adds for portmap: replaces nothing, and is found by the dump.
        let hostRoute = Route(destination: IPv4Prefix(address: podAddress.address, length: 32), outputIndex: bridge.index)
        try netlink.addRoute(hostRoute)
        XCTAssertThrowsError(try netlink.addRoute(hostRoute)) { error in
            XCTAssertEqual((error as? NetlinkError)?.errno, EEXIST)
        }
        try netlink.replaceRoute(hostRoute)
        let shown = try Shell.ipJSON(nodeName, "route", "show", "10.200.0.10/32")
        XCTAssertEqual(shown.first?["dev"] as? String, "vnet0")
        XCTAssertEqual(shown.first?["scope"] as? String, "link")
        XCTAssertTrue(try netlink.routes().contains { $0.destination == hostRoute.destination && $0.outputIndex == bridge.index })
        try Shell.run(["ip", "netns", "exec", nodeName, "ping", "-c", "3", "-i", "0.2", "-W", "1", "10.200.0.10"])

        XCTAssertTrue(try netlink.deleteRoute(hostRoute))
        XCTAssertFalse(try netlink.deleteRoute(hostRoute), "a missing route is reported, not an error")
        XCTAssertTrue(try Shell.ipJSON(nodeName, "route", "show", "10.200.0.10/32").isEmpty)
    }

    func testAddressListingAndDeletion() throws {
        let bridge = try netlink.ensureBridge(BridgeSpec(name: "vnet0"))
        let first = IPv4Prefix("10.201.0.1/24")!, second = IPv4Prefix("10.202.0.1/16")!
        XCTAssertTrue(try netlink.ensureAddress(first, linkIndex: bridge.index))
        XCTAssertFalse(try netlink.ensureAddress(first, linkIndex: bridge.index))
        try netlink.addAddress(second, linkIndex: bridge.index)
        XCTAssertThrowsError(try netlink.addAddress(second, linkIndex: bridge.index)) { error in
            XCTAssertEqual((error as? NetlinkError)?.errno, EEXIST)
        }
        XCTAssertEqual(Set(try netlink.addresses(linkIndex: bridge.index).map(\.prefix)), [first, second])
        XCTAssertEqual(try netlink.addresses(linkIndex: bridge.index).first?.label, "vnet0")
        XCTAssertTrue(try netlink.addresses().contains { $0.prefix == IPv4Prefix("127.0.0.1/8") } == false,
                      "lo is down in a fresh namespace and has no address yet")
        XCTAssertTrue(try netlink.deleteAddress(first, linkIndex: bridge.index))
        XCTAssertFalse(try netlink.deleteAddress(first, linkIndex: bridge.index))
        XCTAssertEqual(try netlink.addresses(linkIndex: bridge.index).map(\.prefix), [second])
    }

    func testPrimaryAddressIsThePreferredSourceTowardsADestination() throws {
        // The node's uplink, made with ip as a provisioner would: 10.240.0.4/16, default via the VNet router.
        try Shell.run(["ip", "-n", nodeName, "link", "add", "name", "eth0", "type", "veth", "peer", "name", "fabric0"])
        try Shell.run(["ip", "-n", nodeName, "addr", "add", "10.240.0.4/16", "dev", "eth0"])
        try Shell.run(["ip", "-n", nodeName, "link", "set", "eth0", "up"])
        try Shell.run(["ip", "-n", nodeName, "link", "set", "fabric0", "up"])
        try Shell.run(["ip", "-n", nodeName, "route", "add", "default", "via", "10.240.0.1"])
        _ = try netlink.ensureBridge(BridgeSpec(name: "vnet0", address: IPv4Prefix("10.200.0.1/24")))

        let out = try XCTUnwrap(try netlink.primaryAddress(towards: IPv4Address(203, 0, 113, 7)))
        XCTAssertEqual(out.address, IPv4Address(10, 240, 0, 4))
        XCTAssertEqual(out.link?.name, "eth0")
        let lookup = try netlink.lookupRoute(to: IPv4Address(203, 0, 113, 7))
        XCTAssertEqual(lookup.gateway, IPv4Address(10, 240, 0, 1))
        // Towards the bridge's subnet the source is the bridge's address.
        XCTAssertEqual(try netlink.primaryAddress(towards: IPv4Address(10, 200, 0, 9))?.address, IPv4Address(10, 200, 0, 1))

        // Without a default route there is no answer, and that is not an error.
        try Shell.run(["ip", "-n", nodeName, "route", "del", "default"])
        XCTAssertNil(try netlink.primaryAddress(towards: IPv4Address(203, 0, 113, 7)))
        XCTAssertThrowsError(try netlink.lookupRoute(to: IPv4Address(203, 0, 113, 7))) { error in
            XCTAssertEqual((error as? NetlinkError)?.errno, ENETUNREACH)
        }
    }

    func testPermanentNeighbourEntries() throws {
        let bridge = try netlink.ensureBridge(BridgeSpec(name: "vnet0", address: IPv4Prefix("10.200.0.1/24")))
        let mac: [UInt8] = [0x02, 0x00, 0x0a, 0xc8, 0x00, 0x21]
        try netlink.setPermanentNeighbour(IPv4Address(10, 200, 0, 33), mac: mac, linkIndex: bridge.index)
        try netlink.setPermanentNeighbour(IPv4Address(10, 200, 0, 34), mac: mac, linkIndex: bridge.index)
        let shown = try Shell.ipJSON(nodeName, "neigh", "show", "dev", "vnet0")
        let entry = try XCTUnwrap(shown.first { $0["dst"] as? String == "10.200.0.33" })
        XCTAssertEqual(entry["lladdr"] as? String, "02:00:0a:c8:00:21")
        XCTAssertEqual(entry["state"] as? [String], ["PERMANENT"])
        let ours = try netlink.neighbours(linkIndex: bridge.index).filter(\.isPermanent)
        XCTAssertEqual(Set(ours.map(\.address)), [IPv4Address(10, 200, 0, 33), IPv4Address(10, 200, 0, 34)])
        XCTAssertTrue(ours.allSatisfy { $0.mac == "02:00:0a:c8:00:21" })

        XCTAssertTrue(try netlink.deleteNeighbour(IPv4Address(10, 200, 0, 33), linkIndex: bridge.index))
        XCTAssertFalse(try netlink.deleteNeighbour(IPv4Address(10, 200, 0, 33), linkIndex: bridge.index))
        // The flush takes the other permanent entry and whatever the kernel made itself (a multicast entry).
        XCTAssertGreaterThanOrEqual(try netlink.flushNeighbours(linkIndex: bridge.index), 1)
        XCTAssertTrue(try Shell.ipJSON(nodeName, "neigh", "show", "dev", "vnet0").isEmpty)
    }
}
