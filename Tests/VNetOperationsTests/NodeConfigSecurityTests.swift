import XCTest
import VNetModel
@testable import VNetOperations

/// Security rules and public IPs are read with the rest of the configuration; a bad rule or entry is code 7
/// (at the plugin) naming it and the key.
final class NodeConfigSecurityTests: XCTestCase {
    private func parse(_ extra: String) -> String {
        let json = #"{"type": "vnet", "ipam": {"type": "vnet-ipam"}\#(extra)}"#
        do {
            guard case .object(let object) = try JSONParser.parse(Array(json.utf8)) else { return "not an object" }
            _ = try NodeConfig.parse(network: "n", object)
            return "accepted"
        } catch let error as ConfigError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    func testSecurityRulesAndPublicIPsAreRead() {
        XCTAssertEqual(parse(""), "accepted")
        XCTAssertEqual(parse(#", "securityRules": [{"name": "r", "priority": 100, "direction": "inbound", "access": "deny", "protocol": "tcp"}]"#),
                       "accepted")
        // Public IPs are served: the ADD reads them (VNetPlugin.translation).
        XCTAssertEqual(parse(#", "publicIPs": [{"pod": "web/web-0", "address": "198.51.100.10"}]"#), "accepted")
    }

    func testABadPublicIPIsNamedFirst() {
        let vnet = [IPv4Prefix("10.240.0.0/16")!]
        func refusal(_ json: String) -> String {
            do {
                _ = try PublicIPAssignment.parse(try JSONParser.parse(Array(json.utf8)), virtualNetwork: vnet)
                return "accepted"
            } catch let error as ConfigError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(refusal(#"[{"pod": "web/web-0", "address": "198.51.100.10"}]"#), "accepted")
        XCTAssertEqual(refusal(#"[{"pod": "web/web-0", "address": "10.240.9.9"}]"#),
                       "publicIPs[0] web/web-0: \"address\" 10.240.9.9 is inside the VNet's own range 10.240.0.0/16; "
                       + "a public IP must lie outside vnetCIDRs and nonMasqueradeCIDRs")
        XCTAssertTrue(refusal(#"[{"pod": "web/web-0", "address": "198.51.100.10"}, {"pod": "web/web-1", "address": "198.51.100.10"}]"#)
            .contains("is already given to web/web-0"))
        XCTAssertTrue(refusal(#"[{"pod": "web/*", "address": "198.51.100.10"}]"#).contains("one pod's namespace/name"))
        XCTAssertTrue(refusal(#"[{"pod": "web/web-0", "address": "198.51.100.300"}]"#).contains("must be an IPv4 address"))
    }

    func testABadRuleIsNamedFirst() {
        XCTAssertEqual(parse(#", "securityRules": [{"name": "r", "priority": 5, "direction": "inbound", "access": "deny", "protocol": "tcp"}]"#),
                       #"securityRules[0] "r": "priority" is 5; it must be from 100 to 4096"#)
    }
}
