import XCTest
import VNetModel
import VNetState

/// Inputs `make fuzz` found (Tests/fuzz, docs/reliability.md), kept as unit tests.
final class FuzzRegressionTests: XCTestCase {
    func document(createdAt: String) -> [UInt8] {
        Array("""
        {"schema": 1, "network": "n", "generation": 1, "released": [], "endpoints": [], "flagged": [],
         "leases": [{"key": {"containerID": "c", "ifname": "eth0"}, "address": "10.0.0.5", "pod": {},
                     "createdAt": "\(createdAt)", "owner": "vnet"}]}
        """.utf8)
    }

    /// The state target's round-trip check found a date Foundation's ISO 8601 decoder accepted although it
    /// is malformed ("06:59:0.1Z"). The state decoder is strict now: such a document is refused as corrupt.
    func testMalformedDatesAreRefused() {
        for bad in ["2026-11-29T06:59:0.1Z", "2026-13-01T00:00:00Z", "2026-11-29 06:59:01Z", "2026-11-29T06:59:01"] {
            guard case .failure(let failure) = StateCodec.decode(document(createdAt: bad)) else {
                return XCTFail("\(bad) was accepted")
            }
            XCTAssertTrue(failure.reason.contains("createdAt"), failure.reason)
        }
    }

    /// A well-formed fractional date loads, and from its first commit on encodes to the same bytes every time
    /// (no drift across commits); only the fraction of a second is lost.
    func testFractionalSecondsDecodeAndReencodeStably() throws {
        guard case .success(let state) = StateCodec.decode(document(createdAt: "2026-11-29T06:59:00.1Z")) else {
            return XCTFail("a document with a fractional-second date was refused")
        }
        XCTAssertEqual(state.leases.map(\.address), [IPv4Address("10.0.0.5")!])
        let first = try StateCodec.encode(state)
        guard case .success(let again) = StateCodec.decode(first) else { return XCTFail("the encoded document was refused") }
        XCTAssertEqual(try StateCodec.encode(again), first)
        XCTAssertEqual(state.leases[0].createdAt.timeIntervalSince(again.leases[0].createdAt), 0.1, accuracy: 0.001)
    }

    func testISO8601RoundTrips() {
        for seconds in [0.0, 951_782_400, 1_800_000_000, 4_102_444_800, -86_400] {
            let date = Date(timeIntervalSince1970: seconds)
            XCTAssertEqual(ISO8601.parse(ISO8601.format(date)), date, ISO8601.format(date))
        }
        XCTAssertEqual(ISO8601.format(Date(timeIntervalSince1970: 1_800_000_000)), "2027-01-15T08:00:00Z")
        XCTAssertEqual(ISO8601.parse("2027-01-15T09:00:00+01:00"), Date(timeIntervalSince1970: 1_800_000_000))
    }

    /// The differential check (direct reader against general reader) found that the direct reader
    /// accumulated a whole number before counting its digits: a 22-digit schema overflowed and trapped.
    /// It now gives up after 15 digits and the general reader words the refusal.
    func testALongNumberIsRefusedNotATrap() {
        let bytes = Array(#"{"schema":9999919999999999999999,"network":"n","gen99,"gee":[]}"#.utf8)
        guard case .failure = StateCodec.decode(bytes) else { return XCTFail("accepted") }
        let long = Array(#"{"schema":1,"network":"n","generation":12345678901234567890123,"released":[],"endpoints":[],"flagged":[],"leases":[]}"#.utf8)
        switch (StateCodec.decode(long), StateCodec.decode(long, reader: .general)) {
        case (.failure(let a), .failure(let b)): XCTAssertEqual(a.reason, b.reason)
        case (.success(let a), .success(let b)): XCTAssertEqual(a, b)
        default: XCTFail("the readers disagree")
        }
    }
}
