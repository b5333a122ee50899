import XCTest
@testable import VNetModel

/// Security rules: the parser's refusals (code 7, naming the rule and key), the defaults, and the decision
/// for a flow, which verify and the kernel's chains both come from.
final class SecurityRuleTests: XCTestCase {
    private func parse(_ json: String) throws -> [SecurityRule] {
        try SecurityRuleParser.parse(try JSONParser.parse(Array(json.utf8)))
    }

    private func refusal(_ json: String) -> String {
        do {
            _ = try parse(json)
            return "accepted"
        } catch let error as ConfigError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    private let web = """
        [{"name": "web-in", "priority": 100, "direction": "inbound", "access": "allow", "protocol": "tcp",
          "sourceAddressPrefixes": ["Internet"], "sourcePortRanges": ["*"], "destinationAddressPrefixes": ["*"],
          "destinationPortRanges": ["80", "8000-8100"], "pods": ["web/*"]},
         {"name": "no-db", "priority": 200, "direction": "outbound", "access": "deny", "protocol": "*",
          "destinationAddressPrefixes": ["10.9.0.0/16"]}]
        """

    private let context = RuleContext(virtualNetwork: [IPv4Prefix("10.240.0.0/16")!, IPv4Prefix("10.9.0.0/16")!],
                                      nodeAddresses: [IPv4Address("10.240.0.4")!])
    private let pod = IPv4Address("10.240.16.10")!

    func testTheIssuesExampleParses() throws {
        let rules = try parse(web)
        XCTAssertEqual(rules.count, 2)
        XCTAssertEqual(rules[0].destinationPorts, [PortRange(lower: 80, upper: 80), PortRange(lower: 8000, upper: 8100)])
        XCTAssertEqual(rules[0].sources, [.internet])
        XCTAssertEqual(rules[0].pods.map(\.pattern), ["web/*"])
        XCTAssertEqual(rules[1].transport, .any)
    }

    func testBadRulesAreRefusedNamingTheRuleAndKey() {
        let base = #""name": "r", "direction": "inbound", "access": "allow", "protocol": "tcp""#
        XCTAssertEqual(refusal("[{\(base), \"priority\": 99}]"), #"securityRules[0] "r": "priority" is 99; it must be from 100 to 4096"#)
        XCTAssertEqual(refusal("[{\(base), \"priority\": 4097}]"), #"securityRules[0] "r": "priority" is 4097; it must be from 100 to 4096"#)
        XCTAssertTrue(refusal(#"[{\#(base), "priority": 100}, {"name": "s", "direction": "inbound", "access": "deny", "protocol": "udp", "priority": 100}]"#)
            .hasPrefix(#"securityRules[1] "s": "priority" 100 is also the priority of the inbound rule "r""#))
        XCTAssertEqual(refusal(#"[{\#(base), "priority": 100}, {"name": "s", "direction": "outbound", "access": "deny", "protocol": "udp", "priority": 100}]"#),
                       "accepted", "one priority per direction")
        XCTAssertEqual(refusal("[{\(base), \"priority\": 100, \"sourceAddressPrefixes\": [\"10.0.0.0/33\"]}]"),
                       #"securityRules[0] "r": "sourceAddressPrefixes" has "10.0.0.0/33", which is not an IPv4 address or prefix (a.b.c.d/len)"#)
        XCTAssertTrue(refusal("[{\(base), \"priority\": 100, \"destinationAddressPrefixes\": [\"AzureLoadBalancer\"]}]")
            .hasPrefix(#"securityRules[0] "r": "destinationAddressPrefixes" has "AzureLoadBalancer", an unknown tag"#))
        XCTAssertEqual(refusal("[{\(base), \"priority\": 100, \"destinationPortRanges\": [\"90-80\"]}]"),
                       #"securityRules[0] "r": "destinationPortRanges" has "90-80", which is not *, a port 0-65535 or a range low-high"#)
        XCTAssertTrue(refusal("[{\(base), \"priority\": 100, \"destinationPortRanges\": [\"70000\"]}]").contains("\"70000\""))
        XCTAssertTrue(refusal("[{\(base), \"priority\": 100, \"destinationPortRange\": [\"80\"]}]")
            .hasPrefix(#"securityRules[0] "r": "destinationPortRange" is not a rule key"#))
        XCTAssertTrue(refusal(#"[{"name": "r", "priority": 100, "direction": "sideways", "access": "allow", "protocol": "tcp"}]"#)
            .contains(#""direction" is "sideways"; it must be inbound or outbound"#))
        XCTAssertTrue(refusal(#"[{"name": "r", "priority": 100, "direction": "inbound", "access": "allow", "protocol": "icmp", "destinationPortRanges": ["80"]}]"#)
            .contains("icmp has none"))
        XCTAssertTrue(refusal("[{\(base), \"priority\": 100, \"pods\": [\"web\"]}]").contains("not a namespace/name glob"))
        XCTAssertTrue(refusal(#"[{\#(base), "priority": 100}, {\#(base), "priority": 101}]"#).contains("names must be unique"))
    }

    func testEffectiveRulesPutTheOperatorsFirstAndTheDefaultsLast() throws {
        let rules = try parse(web)
        let webPod = EffectiveRules(rules: rules, pod: "web/web-0")
        XCTAssertEqual(webPod.inbound.map(\.name), ["web-in", "AllowVnetInBound", "AllowNodeInBound", "DenyAllInBound"])
        XCTAssertEqual(webPod.outbound.map(\.name), ["no-db", "AllowVnetOutBound", "AllowInternetOutBound", "DenyAllOutBound"])
        XCTAssertEqual(EffectiveRules(rules: rules, pod: "db/db-0").inbound.map(\.name), ["AllowVnetInBound", "AllowNodeInBound", "DenyAllInBound"])
        XCTAssertEqual(EffectiveRules(rules: rules, pod: nil).inbound.first?.name, "AllowVnetInBound", "an unnamed pod matches no glob")
    }

    func testFlowsAreDecidedByTheFirstMatchingRule() throws {
        let effective = EffectiveRules(rules: try parse(web), pod: "web/web-0")
        func decide(_ direction: SecurityRule.Direction, _ transport: SecurityRule.TransportProtocol, _ remote: String, _ port: UInt16?) -> String? {
            effective.decide(Flow(direction: direction, transport: transport, pod: pod, remote: IPv4Address(remote)!, port: port),
                             context: context)?.name
        }
        XCTAssertEqual(decide(.inbound, .tcp, "203.0.113.10", 80), "web-in")
        XCTAssertEqual(decide(.inbound, .tcp, "203.0.113.10", 8050), "web-in")
        XCTAssertEqual(decide(.inbound, .tcp, "203.0.113.10", 22), "DenyAllInBound")
        XCTAssertEqual(decide(.inbound, .udp, "203.0.113.10", 80), "DenyAllInBound", "web-in is tcp only")
        XCTAssertEqual(decide(.inbound, .tcp, "10.240.17.3", 22), "AllowVnetInBound")
        XCTAssertEqual(decide(.inbound, .icmp, "10.240.0.4", nil), "AllowVnetInBound")
        XCTAssertEqual(decide(.outbound, .tcp, "10.9.1.1", 5432), "no-db")
        XCTAssertEqual(decide(.outbound, .icmp, "10.9.1.1", nil), "no-db")
        XCTAssertEqual(decide(.outbound, .udp, "1.1.1.1", 53), "AllowInternetOutBound")
        XCTAssertEqual(decide(.outbound, .tcp, "10.240.0.9", 443), "AllowVnetOutBound")
    }

    func testNodeTagAdmitsProbesFromTheNodeOutsideTheVNet() {
        let context = RuleContext(virtualNetwork: [IPv4Prefix("10.240.0.0/16")!], nodeAddresses: [IPv4Address("192.168.5.4")!])
        let effective = EffectiveRules(rules: [], pod: nil)
        let probe = Flow(direction: .inbound, transport: .tcp, pod: pod, remote: IPv4Address("192.168.5.4")!, port: 8080)
        XCTAssertEqual(effective.decide(probe, context: context)?.name, "AllowNodeInBound")
    }

    func testPodGlobs() {
        let glob = PodGlob("web/api-?*")!
        XCTAssertTrue(glob.matches("web/api-1"))
        XCTAssertTrue(glob.matches("web/api-12"))
        XCTAssertFalse(glob.matches("web/api-"))
        XCTAssertFalse(glob.matches("db/api-1"))
        XCTAssertTrue(PodGlob("*/*")!.matches("a/b"))
        XCTAssertNil(PodGlob("web"))
        XCTAssertNil(PodGlob("a/b/c"))
    }

    func testPortRanges() {
        XCTAssertEqual(PortRange("*"), .any)
        XCTAssertEqual(PortRange("8000-8100"), PortRange(lower: 8000, upper: 8100))
        XCTAssertNil(PortRange("-1"))
        XCTAssertNil(PortRange("80-"))
        XCTAssertNil(PortRange("65536"))
        XCTAssertNil(PortRange("1-2-3"))
    }
}
