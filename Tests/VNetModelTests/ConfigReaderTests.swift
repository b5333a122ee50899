import XCTest
@testable import VNetModel

final class ConfigReaderTests: XCTestCase {
    func testErrorsNameTheKeyAndValue() throws {
        let object = try XCTUnwrap(JSONParser.parse(#"{"mtu": "big", "n": 70000, "cidrs": ["10.0.0.0/8", "nope"], "ok": true}"#).objectValue)
        let reader = ConfigReader(object, context: "ipam")
        XCTAssertThrowsError(try reader.int("mtu", in: 1...9000)) { XCTAssertTrue("\($0)".contains("ipam.mtu")) }
        XCTAssertThrowsError(try reader.int("n", in: 1...9000)) { XCTAssertTrue("\($0)".contains("70000")) }
        XCTAssertThrowsError(try reader.prefixes("cidrs")) { XCTAssertTrue("\($0)".contains("nope")) }
        XCTAssertEqual(try reader.bool("ok"), true)
        XCTAssertNil(try reader.string("absent"))
    }
}
