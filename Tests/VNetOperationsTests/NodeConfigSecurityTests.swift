import XCTest
import VNetModel
@testable import VNetOperations

/// Keys vnet does not enforce yet are refused on ADD (code 7 at the plugin), never silently ignored; the
/// rest of the configuration still parses, so DEL frees what was made before the key was added.
final class NodeConfigSecurityTests: XCTestCase {
    private func parse(_ extra: String) -> String {
        let json = #"{"type": "vnet", "ipam": {"type": "vnet-ipam"}\#(extra)}"#
        do {
            guard case .object(let object) = try JSONParser.parse(Array(json.utf8)) else { return "not an object" }
            _ = try NodeConfig.parse(network: "n", object)
            try NodeConfig.refuseUnenforced(object)
            return "accepted"
        } catch let error as ConfigError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    func testSecurityRulesAndPublicIPsAreRefusedNotIgnored() {
        XCTAssertEqual(parse(""), "accepted")
        XCTAssertTrue(parse(#", "securityRules": [{"name": "r", "priority": 100, "direction": "inbound", "access": "deny", "protocol": "tcp"}]"#)
            .hasPrefix(#""securityRules" are not enforced by this version of vnet"#))
        XCTAssertTrue(parse(#", "publicIPs": [{"pod": "web/web-0", "address": "198.51.100.10"}]"#)
            .hasPrefix(#""publicIPs" are not served by this version of vnet"#))
    }

    func testABadRuleIsNamedFirst() {
        XCTAssertEqual(parse(#", "securityRules": [{"name": "r", "priority": 5, "direction": "inbound", "access": "deny", "protocol": "tcp"}]"#),
                       #"securityRules[0] "r": "priority" is 5; it must be from 100 to 4096"#)
    }
}
