#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import XCTest

final class RegistrySettingsTests: XCTestCase {
    func settings(_ json: String) throws(ConfigError) -> RegistrySettings? {
        guard let object = (try? JSONParser.parse(Array(json.utf8)))?.objectValue else { throw ConfigError("not JSON") }
        return try RegistrySettings.parse(ConfigReader(object, context: "ipam"))
    }

    func testTheContractsKeysAndDefaults() throws {
        XCTAssertNil(try settings("{}"))
        let full = try XCTUnwrap(try settings(#"{"registry": {"vnet": "prod", "endpoints": ["http://127.0.0.1:2379"], "node": "node-a", "reservationStep": 8, "autoReclaimAfterSeconds": 0}}"#))
        XCTAssertEqual(full, RegistrySettings(vnet: "prod", endpoints: ["http://127.0.0.1:2379"], node: "node-a", reservationStep: 8,
                                              autoReclaimAfterSeconds: 0))
        let least = try XCTUnwrap(try settings(#"{"registry": {"vnet": "prod", "endpoints": ["https://etcd:2379"]}}"#))
        XCTAssertNil(least.node)
        XCTAssertEqual(least.reservationStep, 16)
        XCTAssertEqual(least.autoReclaimAfterSeconds, 300)
    }

    func testBadValuesNameTheirKey() {
        let cases = [
            (#"{"registry": {"endpoints": ["http://a:1"]}}"#, "ipam.registry.vnet"),
            (#"{"registry": {"vnet": "a/b", "endpoints": ["http://a:1"]}}"#, "ipam.registry.vnet"),
            (#"{"registry": {"vnet": "v"}}"#, "ipam.registry.endpoints"),
            (#"{"registry": {"vnet": "v", "endpoints": ["a:1"]}}"#, "ipam.registry.endpoints"),
            (#"{"registry": {"vnet": "v", "endpoints": ["http://a:1"], "node": "../x"}}"#, "ipam.registry.node"),
            (#"{"registry": {"vnet": "v", "endpoints": ["http://a:1"], "reservationStep": 0}}"#, "ipam.registry.reservationStep"),
            (#"{"registry": "prod"}"#, "ipam.registry"),
        ]
        for (json, key) in cases {
            XCTAssertThrowsError(try settings(json), json) { error in
                XCTAssertTrue("\(error)".contains(key), "\(error) names \(key)")
            }
        }
    }

    func testAGrantRefusesTheNodesNextPodAndSaysWhy() throws {
        let grant = GrantedReservation(vnet: "prod", node: "node-a", reserved: 16, vnetLimit: 40, vnetReserved: 40, agentPID: 77,
                                       updatedAt: Date(timeIntervalSince1970: 1_800_000_000))
        XCTAssertEqual(GrantedReservation(json: grant.json), grant)
        XCTAssertNil(grant.refusal(used: 15, agentRunning: true))
        let refusal = try XCTUnwrap(grant.refusal(used: 16, agentRunning: false))
        for part in ["limit 40", "16 of the 16 pods", "VNet prod", "40 reserved", "vnetd (pid 77) is not running"] {
            XCTAssertTrue(refusal.contains(part), "\(refusal) says \(part)")
        }
        XCTAssertNil(GrantedReservation(json: Array(#"{"vnet": "prod"}"#.utf8)))
    }
}
