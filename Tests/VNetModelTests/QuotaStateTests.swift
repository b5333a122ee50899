import VNetModel
import XCTest

final class QuotaStateTests: XCTestCase {
    func testAGrantIsWhatTheVNetHasLeftAndGivingBackIsAlwaysGranted() {
        let quota = QuotaState(limit: 40, reserved: 36, byNode: ["a": 20, "b": 16])
        XCTAssertNil(quota.violation)
        XCTAssertEqual(quota.grant(node: "a", wanted: 30), 24, "4 left beyond the others")
        XCTAssertEqual(quota.grant(node: "c", wanted: 16), 4)
        XCTAssertEqual(quota.grant(node: "b", wanted: 2), 2)
        XCTAssertEqual(quota.grant(node: "b", wanted: -5), 0)
        XCTAssertEqual(QuotaState(limit: 40, reserved: 40, byNode: ["a": 40]).grant(node: "b", wanted: 1), 0)
    }

    func testTheInvariantNamesWhatIsWrong() {
        XCTAssertEqual(QuotaState(limit: 40, reserved: 3, byNode: ["a": 2]).violation, "the reservations add up to 2, the quota records 3")
        XCTAssertEqual(QuotaState(limit: 4, reserved: 5, byNode: ["a": 5]).violation, "5 reserved beyond the limit of 4")
    }

    func testNamesCannotReachIntoOtherKeys() {
        XCTAssertTrue(RegistryKeys.isValidName("node-a.example_1"))
        for bad in ["", "a/b", "..", ".hidden", "-x", "a b", String(repeating: "x", count: 129)] {
            XCTAssertFalse(RegistryKeys.isValidName(bad), bad)
        }
        let keys = RegistryKeys(vnet: "prod")
        XCTAssertEqual(keys.reservation("n1"), "/vnet/v1/prod/reservations/n1")
        XCTAssertEqual(RegistryKeys.name(in: keys.reservation("n1"), under: keys.reservations), "n1")
        XCTAssertNil(RegistryKeys.name(in: keys.reservations + "a/b", under: keys.reservations))
    }
}
