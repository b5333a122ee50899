import Foundation
import Glibc
import VNetNetlink
import VNetSystem
import VNetTestSupport
import XCTest

final class SysctlTests: NamespacedTestCase {
    func testSettingsAreWrittenInTheEnteredNamespaceOnly() throws {
        let rootForward = try Sysctl.read(.ipv4Forward)
        let bridge = try netlink.ensureBridge(BridgeSpec(name: "vnet0", mtu: 1500))
        let initial = try node.withEntered { try Sysctl.read(.ipv4Forward) }
        let changed = try node.withEntered { () -> [Bool] in
            [
                try Sysctl.ensure(.ipv4Forward, "1"),
                try Sysctl.ensure(.ipv4Forward, "1"),
                try Sysctl.ensure(.proxyARP(bridge.name), "1"),
                try Sysctl.ensure(.rpFilter("all"), "0"),
            ]
        }
        XCTAssertEqual(changed[0], initial != "1", "the first ensure writes unless the value is there")
        XCTAssertFalse(changed[1], "second ensure finds the value in place")
        let read = { (key: String) in
            try Shell.run(["ip", "netns", "exec", self.nodeName, "sysctl", "-n", key]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        XCTAssertEqual(try read("net.ipv4.ip_forward"), "1")
        XCTAssertEqual(try read("net.ipv4.conf.vnet0.proxy_arp"), "1")
        XCTAssertEqual(try read("net.ipv4.conf.all.rp_filter"), "0")
        XCTAssertEqual(try node.withEntered { try Sysctl.read(.proxyARP("vnet0")) }, "1")
        // The machine's own namespace is untouched.
        XCTAssertEqual(try Sysctl.read(.ipv4Forward), rootForward)
    }

    func testUnsafeKeysAndMissingSettingsFailWithErrno() throws {
        XCTAssertThrowsError(try Sysctl.read(.proxyARP("../../kernel"))) { error in
            XCTAssertEqual((error as? SystemError)?.errno, EINVAL)
        }
        try node.withEntered {
            XCTAssertThrowsError(try Sysctl.read(.proxyARP("nosuchlink0"))) { error in
                XCTAssertEqual((error as? SystemError)?.errno, ENOENT)
            }
        }
    }
}
