import VNetModel
import VNetNAT
import VNetTestSupport
import XCTest

/// The table's life in a node namespace made by the test: creation, idempotence, repair after tampering
/// with the nft CLI, per-pod elements, and neighbours left alone.
final class NATTableTests: XCTestCase {
    private var namespaces: TestNamespaces!
    private var node = ""

    private let config = NATConfig(snatAddress: IPv4Address(10, 240, 0, 4),
                                   vnetCIDRs: [IPv4Prefix("10.240.0.0/16")!],
                                   nonMasqueradeCIDRs: [IPv4Prefix("198.51.100.0/24")!, IPv4Prefix("10.0.0.0/8")!])
    private let podA = IPv4Address(10, 240, 1, 10)
    private let podB = IPv4Address(10, 240, 1, 11)

    override func setUpWithError() throws {
        namespaces = TestNamespaces(tag: "vnat")
        node = try namespaces.make("node")
    }

    override func tearDown() {
        namespaces.removeAll()
    }

    /// Runs body in the node namespace with a fresh table handle.
    private func withTable<T>(_ body: (NATTable) throws -> T) throws -> T {
        try inNamespace(node) { try body(try NATTable()) }
    }

    private func handle(ofRuleMatching text: String, chain: String = "postrouting") throws -> String {
        let listing = try Shell.nft(node, "-a", "list", "chain", "ip", "vnet", chain)
        guard let line = listing.split(separator: "\n").first(where: { $0.contains(text) }),
              let handle = line.split(separator: " ").last else {
            throw NamespaceError(description: "no rule with \(text) in \(listing)")
        }
        return String(handle)
    }

    func testEnsureCreatesThenIsIdempotent() throws {
        try withTable { table in
            XCTAssertEqual(try table.ensure(config, addresses: [podA, podB]), .created)
            XCTAssertEqual(try table.ensure(config, addresses: [podA, podB]), .unchanged)
            XCTAssertEqual(try table.ensure(config, addresses: [podB, podA]), .unchanged)
            XCTAssertEqual(try table.pods(), [podA, podB])
            XCTAssertEqual(try table.check(config, pod: podA), [])
        }
        let text = try Shell.nft(node, "list", "table", "ip", "vnet")
        XCTAssertTrue(text.contains("snat to 10.240.0.4"), text)
        XCTAssertTrue(text.contains("fib daddr type local"), text)
        XCTAssertTrue(text.contains("ct status snat ct original ip saddr @pod_stats counter"), text)
        XCTAssertTrue(text.contains("type nat hook postrouting priority srcnat; policy accept;"), text)
    }

    func testRepairsDeletedRule() throws {
        try withTable { table in _ = try table.ensure(config, addresses: [podA]) }
        try Shell.nft(node, "delete", "rule", "ip", "vnet", "postrouting", "handle", try handle(ofRuleMatching: "leaving the VNet"))
        try withTable { table in
            let outcome = try table.ensure(config, addresses: [podA])
            guard case .repaired(let reason) = outcome else { return XCTFail("want repaired, got \(outcome)") }
            XCTAssertTrue(reason.contains("chain postrouting has 5 rules, want 6"), reason)
            XCTAssertEqual(try table.ensure(config, addresses: [podA]), .unchanged)
            XCTAssertEqual(try table.pods(), [podA])
        }
    }

    func testRepairsFlushedChainAndKeepsRuleCounters() throws {
        try withTable { table in _ = try table.ensure(config, addresses: [podA]) }
        // Give the SNAT rule a count by hand (replacing it keeps its comment), then flush the other chain.
        let snat = try handle(ofRuleMatching: "leaving the VNet")
        try Shell.nft(node, "replace", "rule", "ip", "vnet", "postrouting", "handle", snat,
                      "counter", "packets", "7", "bytes", "700", "snat", "to", "10.240.0.4",
                      "comment", "\"vnet: SNAT pod traffic leaving the VNet to 10.240.0.4\"")
        try Shell.nft(node, "flush", "chain", "ip", "vnet", "accounting")
        try withTable { table in
            let outcome = try table.ensure(config, addresses: [podA])
            guard case .repaired(let reason) = outcome else { return XCTFail("want repaired, got \(outcome)") }
            XCTAssertTrue(reason.contains("chain accounting has 0 rules, want 1"), reason)
            XCTAssertEqual(try table.ensure(config, addresses: [podA]), .unchanged)
            let snatRule = try table.snapshot().rules.first { $0.comment.contains("SNAT") }
            XCTAssertEqual(snatRule?.packets, 7, "a repair carries rule counters over")
        }
    }

    func testRepairsChangedRule() throws {
        try withTable { table in _ = try table.ensure(config, addresses: [podA]) }
        // Same comment, different address: only a structural comparison notices.
        try Shell.nft(node, "replace", "rule", "ip", "vnet", "postrouting", "handle", try handle(ofRuleMatching: "leaving the VNet"),
                      "counter", "snat", "to", "10.240.0.99",
                      "comment", "\"vnet: SNAT pod traffic leaving the VNet to 10.240.0.4\"")
        try withTable { table in
            XCTAssertEqual(try table.snapshot().snatAddress, IPv4Address(10, 240, 0, 99))
            let outcome = try table.ensure(config, addresses: [podA])
            guard case .repaired(let reason) = outcome else { return XCTFail("want repaired, got \(outcome)") }
            XCTAssertTrue(reason.contains("rule 6"), reason)
            XCTAssertEqual(try table.snapshot().snatAddress, config.snatAddress)
        }
        // A kept range narrowed by hand is noticed too.
        try Shell.nft(node, "replace", "rule", "ip", "vnet", "postrouting", "handle", try handle(ofRuleMatching: "ip daddr"),
                      "ip", "daddr", "{", "10.240.0.0/16", "}", "counter", "return",
                      "comment", "\"vnet: pod traffic to the VNet and no-masquerade ranges keeps its address\"")
        try withTable { table in
            XCTAssertNotEqual(try table.check(config), [])
            guard case .repaired = try table.ensure(config, addresses: [podA]) else { return XCTFail("narrowed range not repaired") }
            XCTAssertEqual(try table.check(config), [])
        }
    }

    func testRecreatesDeletedTable() throws {
        try withTable { table in _ = try table.ensure(config, addresses: [podA, podB]) }
        try Shell.nft(node, "delete", "table", "ip", "vnet")
        try withTable { table in
            XCTAssertEqual(try table.snapshot(), .absent)
            XCTAssertEqual(try table.check(config), ["table ip vnet is missing"])
            XCTAssertEqual(try table.ensure(config, addresses: [podA, podB]), .created)
            XCTAssertEqual(try table.pods(), [podA, podB])
            XCTAssertEqual(try table.ensure(config, addresses: [podA, podB]), .unchanged)
        }
    }

    func testExtraObjectsAndConfigChangeRebuild() throws {
        try withTable { table in _ = try table.ensure(config, addresses: []) }
        try Shell.nft(node, "add", "chain", "ip", "vnet", "intruder")
        try withTable { table in
            guard case .repaired(let reason) = try table.ensure(config, addresses: []) else { return XCTFail("not repaired") }
            XCTAssertTrue(reason.contains("unexpected chain intruder"), reason)
            var wider = config
            wider.nonMasqueradeCIDRs.append(IPv4Prefix("192.0.2.0/24")!)
            guard case .repaired = try table.ensure(wider, addresses: []) else { return XCTFail("config change not applied") }
            XCTAssertEqual(try table.ensure(wider, addresses: []), .unchanged)
        }
        XCTAssertTrue(try Shell.nft(node, "list", "table", "ip", "vnet").contains("192.0.2.0/24"))
    }

    func testPodElementsAddRemoveAndReconcile() throws {
        try withTable { table in
            _ = try table.ensure(config, addresses: [])
            try table.addPod(podA)
            try table.addPod(podA)
            try table.addPod(podB)
            XCTAssertEqual(try table.pods(), [podA, podB])
            XCTAssertEqual(try table.check(config, pod: podB), [])
            try table.removePod(podA)
            try table.removePod(podA)
            XCTAssertEqual(try table.pods(), [podB])
            XCTAssertEqual(try table.check(config, pod: podA),
                           ["pod 10.240.1.10 is not in set pods", "pod 10.240.1.10 is not in set pod_stats"])
            XCTAssertEqual(try table.snapshot().perPod.map(\.address), [podB])
        }
        // Elements changed behind our back are put right by ensure without a rebuild.
        try Shell.nft(node, "delete", "element", "ip", "vnet", "pod_stats", "{", "10.240.1.11", "}")
        try Shell.nft(node, "add", "element", "ip", "vnet", "pods", "{", "10.240.1.99", "}")
        try withTable { table in
            XCTAssertEqual(try table.ensure(config, addresses: [podB]),
                           .podsReconciled(added: [podB], removed: [IPv4Address(10, 240, 1, 99)]))
            XCTAssertEqual(try table.ensure(config, addresses: [podB]), .unchanged)
        }
    }

    func testPerPodCallsWithoutTable() throws {
        try withTable { table in
            try table.removePod(podA)
            XCTAssertThrowsError(try table.addPod(podA)) { error in
                XCTAssertEqual(error as? NATError, .tableMissing("ip vnet"))
            }
            XCTAssertThrowsError(try table.pods())
            try table.remove()
            XCTAssertEqual(try table.snapshot(), .absent)
        }
    }

    func testKernelRefusalsAreReported() throws {
        try withTable { table in _ = try table.ensure(config, addresses: []) }
        // Swap our pods set for one of another type: adding an address to it is refused by the kernel, and
        // the error must say which request failed and why.
        try Shell.nft(node, "flush", "chain", "ip", "vnet", "postrouting")
        try Shell.nft(node, "delete", "set", "ip", "vnet", "pods")
        try Shell.nft(node, "add", "set", "ip", "vnet", "pods", "{", "type", "inet_service", ";", "}")
        try withTable { table in
            XCTAssertThrowsError(try table.addPod(podA)) { error in
                guard let nat = error as? NATError, case .netlinkFailed(let operation, let code) = nat else {
                    return XCTFail("want netlinkFailed, got \(error)")
                }
                XCTAssertTrue(operation.contains("table ip vnet"), operation)
                XCTAssertEqual(code, EINVAL)
                XCTAssertTrue(nat.description.contains("Invalid argument"), nat.description)
            }
            XCTAssertFalse(try table.quickCheck(config).isEmpty, "the flushed chain shows in the quick check")
            guard case .repaired(let reason) = try table.ensure(config, addresses: [podA]) else { return XCTFail("not repaired") }
            XCTAssertTrue(reason.contains("set pods has type inet_service"), reason)
            XCTAssertEqual(try table.quickCheck(config), [])
            XCTAssertTrue(try table.hasPod(podA))
            XCTAssertFalse(try table.hasPod(podB))
        }
    }

    /// The netlink look every ADD takes sees the tampering that matters: a deleted rule, a rule added to
    /// our chain, a deleted set, the table gone.
    func testQuickCheckSeesTampering() throws {
        let tamperings: [[String]] = [
            ["delete", "rule", "ip", "vnet", "postrouting", "handle", "HANDLE"],
            ["add", "rule", "ip", "vnet", "postrouting", "counter"],
            ["delete", "table", "ip", "vnet"],
        ]
        for tampering in tamperings {
            try withTable { table in
                _ = try table.ensure(config, addresses: [podA])
                XCTAssertEqual(try table.quickCheck(config), [])
            }
            var command = tampering
            if let at = command.firstIndex(of: "HANDLE") {
                let listing = try Shell.nft(node, "-a", "list", "chain", "ip", "vnet", "postrouting")
                let handle = try XCTUnwrap(listing.split(separator: "\n").last { $0.contains("# handle") }?
                    .components(separatedBy: "# handle ").last?.trimmingCharacters(in: .whitespaces))
                command[at] = handle
            }
            try Shell.run(["ip", "netns", "exec", node, "nft"] + command)
            try withTable { table in
                XCTAssertFalse(try table.quickCheck(config).isEmpty, "\(tampering)")
                XCTAssertNotEqual(try table.ensure(config, addresses: [podA]), .unchanged)
                XCTAssertEqual(try table.quickCheck(config), [])
            }
        }
    }

    /// The netlink dumps of a full node span many datagrams: every element and counter comes back.
    func testSnapshotOfAFullNodeHasEveryPod() throws {
        let pods = (0..<UInt32(300)).map { IPv4Address(IPv4Address(10, 240, 2, 1).value + $0) }
        try withTable { table in
            _ = try table.ensure(config, addresses: pods)
            let snapshot = try table.snapshot()
            XCTAssertEqual(snapshot.perPod.map(\.address), pods.sorted())
            XCTAssertEqual(snapshot.snatAddress, config.snatAddress)
            XCTAssertFalse(snapshot.rules.isEmpty)
            XCTAssertTrue(try table.hasPod(pods[299]))
            try table.removePod(pods[299])
            XCTAssertFalse(try table.hasPod(pods[299]))
            XCTAssertEqual(try table.snapshot().perPod.count, 299)
        }
    }

    func testOtherTablesAreUntouched() throws {
        try Shell.nft(node, "add", "table", "ip", "kube-proxy")
        try Shell.nft(node, "add", "set", "ip", "kube-proxy", "svc", "{", "type", "ipv4_addr", ";", "}")
        try Shell.nft(node, "add", "element", "ip", "kube-proxy", "svc", "{", "10.240.1.10", "}")
        try Shell.nft(node, "add", "chain", "ip", "kube-proxy", "post",
                      "{", "type", "nat", "hook", "postrouting", "priority", "srcnat", "-", "5", ";", "}")
        try Shell.nft(node, "add", "rule", "ip", "kube-proxy", "post", "ip", "saddr", "@svc", "masquerade")
        try Shell.nft(node, "add", "table", "inet", "vnet")
        let before = try Shell.nft(node, "-a", "list", "ruleset")
        try withTable { table in
            _ = try table.ensure(config, addresses: [podA])
            try table.addPod(podB)
            try table.removePod(podA)
        }
        try Shell.nft(node, "flush", "chain", "ip", "vnet", "postrouting")
        try withTable { table in
            _ = try table.ensure(config, addresses: [podB])
            _ = try table.snapshot()
            try table.remove()
        }
        XCTAssertEqual(try Shell.nft(node, "-a", "list", "ruleset"), before)
    }

    func testContextStaysInTheNamespaceItWasMadeIn() throws {
        let other = try namespaces.make("other")
        let table = try inNamespace(node) { try NATTable() }
        try inNamespace(other) { _ = try table.ensure(config, addresses: []) }
        XCTAssertTrue(try Shell.nft(node, "list", "tables").contains("table ip vnet"))
        XCTAssertFalse(try Shell.nft(other, "list", "tables").contains("table ip vnet"))
        // A removal retires the netlink socket; the one made for the next call acts in the node too.
        try inNamespace(other) {
            try table.addPod(podA)
            try table.addPod(podB)
            try table.removePod(podA)
            XCTAssertTrue(try table.hasPod(podB))
            XCTAssertFalse(try table.hasPod(podA))
            try table.removePod(podB)
            try table.addPod(podA)
        }
        XCTAssertEqual(try inNamespace(node) { try NATTable().pods() }, [podA])
        XCTAssertFalse(try Shell.nft(other, "list", "tables").contains("table ip vnet"))
    }

    func testSnatDisabledKeepsOnlyPodSets() throws {
        var off = config
        off.snat = false
        try withTable { table in
            XCTAssertEqual(try table.ensure(off, addresses: [podA]), .created)
            try table.addPod(podB)
            let snapshot = try table.snapshot()
            XCTAssertTrue(snapshot.present)
            XCTAssertNil(snapshot.snatAddress)
            XCTAssertEqual(snapshot.rules, [])
            XCTAssertEqual(snapshot.perPod.map(\.address), [podA, podB])
            guard case .repaired = try table.ensure(config, addresses: [podA, podB]) else { return XCTFail("snat not turned on") }
        }
        XCTAssertTrue(try Shell.nft(node, "list", "table", "ip", "vnet").contains("snat to 10.240.0.4"))
    }

    func testCustomTableNameAndValidation() throws {
        XCTAssertThrowsError(try NATTable(name: "bad name\"")) { error in
            guard case .invalidConfiguration = error as? NATError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try NATTable(name: ""))
        var custom = config
        custom.tableName = "vnet_blue"
        try inNamespace(node) {
            let table = try NATTable(name: "vnet_blue")
            XCTAssertEqual(try table.ensure(custom, addresses: [podA]), .created)
            XCTAssertThrowsError(try table.ensure(config, addresses: []))
        }
        XCTAssertTrue(try Shell.nft(node, "list", "tables").contains("table ip vnet_blue"))
    }
}
