import VNetModel
import VNetNAT
import VNetTestSupport
import XCTest

/// The security rules' part of the table in a node namespace made by the test: built and verified against
/// nft's own listing, pods put into exactly the sets of the rules that select them, and a changed policy
/// noticed by the per-ADD look and rebuilt.
final class SecurityTableTests: XCTestCase {
    private var namespaces: TestNamespaces!
    private var node = ""

    private let web = NATPod(address: IPv4Address(10, 240, 1, 10), pod: PodIdentity(namespace: "web", name: "web-0"))
    private let db = NATPod(address: IPv4Address(10, 240, 1, 11), pod: PodIdentity(namespace: "db", name: "db-0"))

    private func config(_ rulesJSON: String) throws -> NATConfig {
        let rules = try SecurityRuleParser.parse(try JSONParser.parse(Array(rulesJSON.utf8)))
        let vnet = [IPv4Prefix("10.240.0.0/16")!]
        let other = [IPv4Prefix("198.51.100.0/24")!]
        return NATConfig(snatAddress: IPv4Address(10, 240, 0, 4), vnetCIDRs: vnet, nonMasqueradeCIDRs: other,
                         security: SecurityPolicy(rules: rules, context: RuleContext(virtualNetwork: vnet + other,
                                                                                      nodeAddresses: [IPv4Address(10, 240, 0, 4)])))
    }

    private let rules = """
        [{"name": "web-in", "priority": 100, "direction": "inbound", "access": "allow", "protocol": "tcp",
          "sourceAddressPrefixes": ["Internet", "10.1.0.0/16"], "destinationPortRanges": ["80", "8000-8100", "81"], "pods": ["web/*"]},
         {"name": "no-ssh", "priority": 200, "direction": "inbound", "access": "deny", "protocol": "*",
          "destinationPortRanges": ["22"]},
         {"name": "ping", "priority": 300, "direction": "inbound", "access": "allow", "protocol": "icmp", "sourceAddressPrefixes": ["Node"]},
         {"name": "no-db-out", "priority": 100, "direction": "outbound", "access": "deny", "protocol": "*",
          "destinationAddressPrefixes": ["203.0.113.0/24"], "pods": ["db/*"]}]
        """

    override func setUpWithError() throws {
        namespaces = TestNamespaces(tag: "vsec")
        node = try namespaces.make("node")
    }

    override func tearDown() {
        namespaces.removeAll()
    }

    private func withTable<T>(_ body: (NATTable) throws -> T) throws -> T {
        try inNamespace(node) { try body(try NATTable()) }
    }

    private func elements(_ set: String) throws -> [String] {
        let listing = try Shell.nft(node, "list", "set", "ip", "vnet", set)
        guard let start = listing.range(of: "elements = {") else { return [] }
        let rest = listing[start.upperBound...]
        return rest[..<(rest.firstIndex(of: "}") ?? rest.endIndex)].split(separator: ",").map {
            String($0.split(separator: " ").first ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }.filter { !$0.isEmpty }
    }

    func testTheRulesAreBuiltAsNftListsThemAndPodsGoIntoTheirRulesSets() throws {
        let config = try config(rules)
        try withTable { table in
            XCTAssertEqual(try table.ensure(config, pods: [web]), .created)
            XCTAssertEqual(try table.ensure(config, pods: [web]), .unchanged, "the listing must compare equal to the layout")
            XCTAssertEqual(try table.check(config), [])
            XCTAssertEqual(try table.quickCheck(config), [])
            try table.addPod(db, config: config)
        }
        XCTAssertEqual(try elements("pod_in").sorted(), ["10.240.1.10", "10.240.1.11"])
        XCTAssertEqual(try elements("rule_in_100"), ["10.240.1.10"])
        XCTAssertEqual(try elements("rule_out_100"), ["10.240.1.11"])
        let inbound = try Shell.nft(node, "list", "chain", "ip", "vnet", "inbound")
        // web-in: one kernel rule for 10.1.0.0/16 and one for Internet (not the VirtualNetwork ranges).
        XCTAssertEqual(inbound.components(separatedBy: "vnet rule: inbound 100 web-in").count - 1, 2, inbound)
        // no-ssh on `*` with a port: one rule for tcp and one for udp.
        XCTAssertEqual(inbound.components(separatedBy: "vnet rule: inbound 200 no-ssh").count - 1, 2, inbound)
        XCTAssertTrue(inbound.contains("DenyAllInBound"), inbound)

        try withTable { table in try table.removePod(db) }
        XCTAssertEqual(try elements("pod_in"), ["10.240.1.10"])
        XCTAssertEqual(try elements("rule_out_100"), [])
    }

    func testAChangedPolicyIsSeenByTheQuickLookAndRebuilt() throws {
        let before = try config(rules)
        let after = try config(rules.replacingOccurrences(of: #""8000-8100""#, with: #""9000""#))
        try withTable { table in
            XCTAssertEqual(try table.ensure(before, pods: [web, db]), .created)
            XCTAssertFalse(try table.quickCheck(after).isEmpty, "a changed rule must fail the per-ADD look")
            guard case .repaired = try table.ensure(after, pods: [web, db]) else { return XCTFail("not rebuilt") }
            XCTAssertEqual(try table.ensure(after, pods: [web, db]), .unchanged)
        }
        XCTAssertEqual(try elements("rule_in_100"), ["10.240.1.10"])
    }

    func testATamperedRuleIsFound() throws {
        let config = try config(rules)
        try withTable { table in _ = try table.ensure(config, pods: [web]) }
        _ = try Shell.nft(node, "flush", "chain", "ip", "vnet", "inbound")
        try withTable { table in
            XCTAssertFalse(try table.quickCheck(config).isEmpty)
            guard case .repaired = try table.ensure(config, pods: [web]) else { return XCTFail("not repaired") }
        }
    }

    func testTheLayoutWithoutExpressionsHasTheSameRulesInTheSameOrder() throws {
        let config = try config(rules)
        try withTable { table in
            _ = try table.ensure(config, pods: [web])
            // quickCheck compares the kernel's rules with the layout made without expressions: equal counts
            // and comments in order, rule by rule, or it would fail on a table ensure just built.
            XCTAssertEqual(try table.quickCheck(config), [])
            XCTAssertEqual(try table.problems(of: web, config: config), [])
            XCTAssertEqual(try table.problems(of: db, config: config),
                           ["pods", "pod_stats", "pod_in", "pod_out", "rule_out_100"].map { "pod 10.240.1.11 is not in set \($0)" })
        }
    }
}

