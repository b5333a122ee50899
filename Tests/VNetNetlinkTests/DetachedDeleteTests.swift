import Foundation
import Glibc
import VNetModel
import VNetNetlink
import VNetSystem
import VNetTestSupport
import XCTest

/// `deleteLinkWithoutAwaitingFree`: the deletion is sent by a detached process and the call returns when the
/// kernel announces the link gone. What must hold when it returns is everything a caller can observe.
final class DetachedDeleteTests: NamespacedTestCase {
    func testWhenItReturnsTheLinkItsPeerItsPortAndItsAddressAreGoneAndTheNamesAreFree() throws {
        let bridge = try netlink.ensureBridge(BridgeSpec(name: "vnet0"))
        let host = hostName(1)
        for round in 0..<5 {
            // The same names every round: each round's create proves the previous delete freed them.
            _ = try netlink.createVeth(VethSpec(hostName: host, peerName: "eth0", peerNamespace: pod, master: bridge.index))
            try Shell.run(["ip", "-n", podName, "addr", "add", "10.77.0.\(round + 2)/24", "dev", "eth0"])
            XCTAssertTrue(try netlink.deleteLinkWithoutAwaitingFree(named: host), "round \(round)")
            XCTAssertNil(try netlink.link(named: host), "round \(round): the host end is gone on return")
            XCTAssertNil(try Shell.link(nodeName, host))
            XCTAssertNil(try Shell.link(podName, "eth0"), "round \(round): the peer went with it")
            XCTAssertEqual(try Shell.run(["bridge", "-n", nodeName, "link", "show"]).trimmingCharacters(in: .whitespacesAndNewlines), "",
                           "round \(round): no port is left on the bridge")
            XCTAssertFalse(try Shell.run(["ip", "-n", podName, "-o", "addr"]).contains("10.77.0."), "round \(round)")
        }
    }

    func testAMissingLinkIsFalseAndABadNameIsRefusedBeforeAnythingIsSent() throws {
        XCTAssertFalse(try netlink.deleteLinkWithoutAwaitingFree(named: hostName(9)))
        XCTAssertThrowsError(try netlink.deleteLinkWithoutAwaitingFree(named: "no/slash")) { error in
            XCTAssertEqual((error as? NetlinkError)?.errno, EINVAL)
        }
        // The handle still answers its own requests afterwards: no stray answer is taken for one of them.
        _ = try netlink.ensureBridge(BridgeSpec(name: "vnet0"))
        XCTAssertNotNil(try netlink.link(named: "vnet0"))
    }

    func testTheDeletionHappensInTheHandlesNamespaceNotTheCallingThreads() throws {
        // The handle was opened in the node namespace; this thread is in the test's own. A link of the same
        // name in a third namespace entered by this thread must survive.
        let otherName = try namespaces.make("other")
        let other = try NetworkNamespace(named: otherName)
        let host = hostName(2)
        try Shell.run(["ip", "-n", nodeName, "link", "add", host, "type", "veth", "peer", "name", "p0"])
        try Shell.run(["ip", "-n", otherName, "link", "add", host, "type", "veth", "peer", "name", "p0"])
        try other.withEntered { () throws -> Void in
            XCTAssertTrue(try netlink.deleteLinkWithoutAwaitingFree(named: host))
        }
        XCTAssertNil(try Shell.link(nodeName, host))
        XCTAssertNotNil(try Shell.link(otherName, host), "only the handle's namespace is touched")
    }

    func testManyDeletionsInARowAllComeBackAndLeaveNoZombiesBehind() throws {
        // Children other tests of this process left (NAT tests' socket holders live until it exits).
        let before = Set(try childrenOfThisProcess())
        let ours = { () throws -> [String] in try self.childrenOfThisProcess().filter { !before.contains($0) } }
        for n in 0..<30 {
            try Shell.run(["ip", "-n", nodeName, "link", "add", "x\(n)", "type", "veth", "peer", "name", "y\(n)"])
        }
        for n in 0..<30 { XCTAssertTrue(try netlink.deleteLinkWithoutAwaitingFree(named: "x\(n)")) }
        XCTAssertEqual(try Shell.ipJSON(nodeName, "link", "show").count, 1, "only lo is left")
        // The senders are children nobody waits for; once they have finished, the next call reaps them, so a
        // long-running process (the console) keeps at most the latest ones.
        // Their RCU barriers run one after another: wait (up to 10 s) until every one has exited.
        for _ in 0..<100 where try ours().contains(where: { !isZombie($0) }) { usleep(100_000) }
        XCTAssertFalse(try ours().contains(where: { !isZombie($0) }), "the senders finished")
        try Shell.run(["ip", "-n", nodeName, "link", "add", "x99", "type", "veth", "peer", "name", "y99"])
        XCTAssertTrue(try netlink.deleteLinkWithoutAwaitingFree(named: "x99"))
        XCTAssertLessThanOrEqual(try ours().count, 1, "only the newest sender may still be ours")
    }

    private func isZombie(_ pid: String) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
    }

    /// Our children, zombies included, from every thread's /proc children list.
    private func childrenOfThisProcess() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").flatMap { task in
            ((try? String(contentsOfFile: "/proc/self/task/\(task)/children", encoding: .utf8)) ?? "").split(separator: " ").map(String.init)
        }
    }
}
