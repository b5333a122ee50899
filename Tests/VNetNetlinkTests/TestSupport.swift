import Foundation
import Glibc
import VNetNetlink
import VNetSystem
import VNetTestSupport
import XCTest

extension Shell {
    /// `ip -n NS -j ARGS...` parsed as a JSON array of objects.
    static func ipJSON(_ namespace: String, _ arguments: String...) throws -> [[String: Any]] {
        let text = try run(["ip", "-n", namespace, "-j"] + arguments)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [] }
        guard let array = try JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [[String: Any]] else {
            throw CommandFailure(arguments: ["ip", "-n", namespace, "-j"] + arguments, status: 0, output: text)
        }
        return array
    }

    /// One link as `ip -d -j link show` describes it, or nil when it does not exist.
    static func link(_ namespace: String, _ name: String) throws -> [String: Any]? {
        let all = try ipJSON(namespace, "-d", "link", "show")
        return all.first { $0["ifname"] as? String == name }
    }
}

/// Base class: a node namespace and a pod namespace per test, a netlink handle opened inside the node,
/// everything removed in tearDown.
class NamespacedTestCase: XCTestCase {
    var namespaces: TestNamespaces!
    var nodeName = ""
    var podName = ""
    var node: NetworkNamespace!
    var pod: NetworkNamespace!
    var netlink: Netlink!

    override func setUpWithError() throws {
        try XCTSkipUnless(getuid() == 0, "netlink tests create network namespaces and need root")
        namespaces = TestNamespaces(tag: "vnl")
        nodeName = try namespaces.make("node")
        podName = try namespaces.make("pod")
        node = try NetworkNamespace(named: nodeName)
        pod = try NetworkNamespace(named: podName)
        netlink = try Netlink(in: node)
        // The handle must act in the node namespace, never in the machine's own.
        XCTAssertFalse(node.isCurrent)
    }

    override func tearDown() {
        netlink = nil
        node = nil
        pod = nil
        namespaces?.removeAll()
        super.tearDown()
    }

    /// A veth name unique to this test, like vnet's "vn" + hash names.
    func hostName(_ n: Int) -> String { "vn\(namespaces.prefix.suffix(6))\(n)" }
}
