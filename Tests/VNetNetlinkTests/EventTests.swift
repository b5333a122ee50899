import Foundation
import Glibc
import VNetModel
import VNetNetlink
import VNetSystem
import XCTest

final class EventTests: NamespacedTestCase {
    /// Waits for events until `done` says enough, for at most two seconds.
    private func collect(_ monitor: NetlinkEventMonitor, until done: ([NetlinkEvent]) -> Bool) throws -> [NetlinkEvent] {
        var events: [NetlinkEvent] = []
        let deadline = MonotonicClock.seconds() + 2
        while !done(events), MonotonicClock.seconds() < deadline {
            if monitor.wait(milliseconds: 200) { events += try monitor.drain() }
        }
        return events
    }

    func testMonitorSeesLinksAddedChangedAndRemoved() throws {
        let monitor = try NetlinkEventMonitor(in: node)
        XCTAssertEqual(try monitor.drain(), [], "nothing happened yet, and drain does not block")

        let bridge = try netlink.ensureBridge(BridgeSpec(name: "vnet0", address: IPv4Prefix("10.200.0.1/24")))
        let host = hostName(1)
        _ = try netlink.createVeth(VethSpec(hostName: host, peerName: "eth0", peerNamespace: pod, master: bridge.index))
        var events = try collect(monitor) { events in
            events.contains { if case .linkAdded(let link) = $0 { return link.name == host } else { return false } }
                && events.contains { if case .addressAdded = $0 { return true } else { return false } }
        }
        XCTAssertTrue(events.contains { if case .linkAdded(let link) = $0 { return link.name == "vnet0" } else { return false } },
                      "\(events)")
        XCTAssertTrue(events.contains { if case .linkAdded(let link) = $0 { return link.name == host && link.kind == "veth" } else { return false } },
                      "\(events)")
        XCTAssertTrue(events.contains { if case .addressAdded(let address) = $0 {
            return address.prefix == IPv4Prefix("10.200.0.1/24") && address.linkIndex == bridge.index } else { return false } },
                      "\(events)")
        XCTAssertFalse(events.contains { $0.linkName == "eth0" }, "the pod's side is not announced in the node")

        try netlink.setLink(named: host, LinkChanges(up: false))
        events = try collect(monitor) { events in
            events.contains { if case .linkChanged(let link) = $0 { return link.name == host && !link.adminUp } else { return false } }
        }
        XCTAssertTrue(events.contains { if case .linkChanged(let link) = $0 { return link.name == host } else { return false } },
                      "\(events)")

        try netlink.deleteLink(named: host)
        events = try collect(monitor) { events in
            events.contains { if case .linkRemoved(_, let name) = $0 { return name == host } else { return false } }
        }
        XCTAssertTrue(events.contains { if case .linkRemoved(_, let name) = $0 { return name == host } else { return false } },
                      "\(events)")
    }

    func testMonitorOnlyHearsItsOwnNamespace() throws {
        let monitor = try NetlinkEventMonitor(in: pod)
        _ = try netlink.ensureBridge(BridgeSpec(name: "vnet0"))
        XCTAssertFalse(monitor.wait(milliseconds: 300))
        XCTAssertEqual(try monitor.drain(), [])
    }
}
