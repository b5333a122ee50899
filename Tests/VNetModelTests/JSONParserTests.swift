import XCTest
@testable import VNetModel

final class JSONParserTests: XCTestCase {
    func testParsesEveryKind() throws {
        let value = try JSONParser.parse(#"{"a": [1, -2.5e3, true, false, null], "s": "x\"\\\/\n\u00e9\ud83d\ude00", "o": {}}"#)
        XCTAssertEqual(value["a"], .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
        XCTAssertEqual(value["s"], .string("x\"\\/\n\u{e9}\u{1F600}"))
        XCTAssertEqual(value["o"], .object([:]))
        XCTAssertEqual(try JSONParser.parse("  \"plain ünïcode\"  "), .string("plain ünïcode"))
    }

    func testRejectsMalformedDocuments() {
        for bad in ["", "{", "[1,]", "{\"a\":1,}", "{a:1}", "01", "1.", "1e", "-", "tru", "\"\\x\"", "\"\\ud800\"",
                    "\"tab\there\"", "[1] 2", "{\"a\" 1}", "nul", "\u{0}", "[\"\\u12\"]"] {
            XCTAssertThrowsError(try JSONParser.parse(bad), bad)
        }
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xff, 0x22]), "invalid UTF-8")
    }

    func testDepthIsBounded() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try JSONParser.parse(deep)) { error in
            XCTAssertTrue("\(error)".contains("nesting"))
        }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        XCTAssertNoThrow(try JSONParser.parse(ok))
    }

    func testAgreesWithFoundationOnRoundTrips() throws {
        let text = #"{"cniVersion":"1.1.0","name":"n","plugins":[{"type":"vnet","mtu":1500,"snat":true}]}"#
        let ours = try JSONParser.parse(text)
        let theirs = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        XCTAssertEqual(ours, theirs)
    }
}
