import XCTest
@testable import VNetModel

final class IPv4Tests: XCTestCase {
    func testParsesDottedQuad() {
        XCTAssertEqual(IPv4Address("10.240.0.4")?.value, 0x0AF0_0004)
        XCTAssertEqual(IPv4Address("0.0.0.0")?.value, 0)
        XCTAssertEqual(IPv4Address("255.255.255.255")?.value, .max)
        XCTAssertEqual(IPv4Address(10, 240, 0, 4).description, "10.240.0.4")
    }

    func testRejectsMalformedAddresses() {
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-1", "01.2.3.4", " 1.2.3.4", "1..2.3", "1.2.3.4/", "a.b.c.d", "1.2.3.4444"] {
            XCTAssertNil(IPv4Address(bad), bad)
        }
    }

    func testPrefixArithmetic() throws {
        let p = try XCTUnwrap(IPv4Prefix("10.240.7.9/16"))
        XCTAssertEqual(p.network.description, "10.240.0.0")
        XCTAssertEqual(p.broadcast.description, "10.240.255.255")
        XCTAssertEqual(p.firstHost.description, "10.240.0.1")
        XCTAssertTrue(p.contains(IPv4Address("10.240.200.1")!))
        XCTAssertFalse(p.contains(IPv4Address("10.241.0.1")!))
        XCTAssertEqual(IPv4Prefix("0.0.0.0/0")?.mask, 0)
        XCTAssertNil(IPv4Prefix("10.0.0.0/33"))
        XCTAssertNil(IPv4Prefix("10.0.0.0/-1"))
        XCTAssertNil(IPv4Prefix("10.0.0.0"))
        XCTAssertTrue(IPv4Prefix("10.0.0.0/8")!.contains(IPv4Prefix("10.240.0.0/16")!))
        XCTAssertFalse(IPv4Prefix("10.240.0.0/16")!.contains(IPv4Prefix("10.0.0.0/8")!))
    }

    func testRanges() {
        XCTAssertEqual(AddressRange("10.0.0.1-10.0.0.10")?.count, 10)
        XCTAssertEqual(AddressRange("10.0.0.7")?.count, 1)
        XCTAssertEqual(AddressRange("10.0.0.0/30")?.count, 4)
        XCTAssertNil(AddressRange("10.0.0.10-10.0.0.1"))
        XCTAssertNil(AddressRange("10.0.0.1-"))
    }
}
