@testable import VNetNAT
import VNetModel
import XCTest

/// The pure parts: reading nft's JSON, normalizing rule expressions, validating configuration.
final class NATLayoutTests: XCTestCase {
    private func decode(_ text: String) throws -> [JSONValue] {
        try NftJSON.objects(in: text)
    }

    func testIntervalsMergeLikeNft() throws {
        let set = try XCTUnwrap(decode("""
        {"nftables": [{"set": [{"prefix": {"addr": "10.0.0.0", "len": 8}}, {"prefix": {"addr": "10.240.0.0", "len": 16}},
          {"prefix": {"addr": "192.168.0.0", "len": 24}}, {"prefix": {"addr": "192.168.1.0", "len": 24}},
          "1.2.3.4", {"range": ["1.2.3.5", "1.2.3.9"]}]}]}
        """).first)
        let merged = try XCTUnwrap(NATLayout.intervals(of: set))
        XCTAssertEqual(merged.map { "\(IPv4Address($0.lowerBound))-\(IPv4Address($0.upperBound))" },
                       ["1.2.3.4-1.2.3.9", "10.0.0.0-10.255.255.255", "192.168.0.0-192.168.1.255"])
        XCTAssertNil(NATLayout.intervals(of: .string("@pods")))
        XCTAssertNil(NATLayout.intervals(of: .string("local")))
        let everything = JSONValue.object(["prefix": .object(["addr": .string("0.0.0.0"), "len": .number(0)])])
        XCTAssertEqual(NATLayout.intervals(of: everything), [0...UInt32.max])
    }

    func testNormalizationIgnoresCounterValuesAndSetSpelling() throws {
        let listed = try decode("""
        {"nftables": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}},
                                 "right": {"prefix": {"addr": "10.0.0.0", "len": 8}}}},
                      {"counter": {"packets": 12, "bytes": 3400}}]}
        """)
        let wanted = try decode("""
        {"nftables": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}},
                                 "right": {"set": [{"prefix": {"addr": "10.0.0.0", "len": 8}},
                                                   {"prefix": {"addr": "10.1.0.0", "len": 16}}]}}},
                      {"counter": null}]}
        """)
        XCTAssertEqual(listed.map(NATLayout.normalized), wanted.map(NATLayout.normalized))
        let other = try decode("""
        {"nftables": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}},
                                 "right": {"prefix": {"addr": "10.0.0.0", "len": 9}}}}, {"counter": null}]}
        """)
        XCTAssertNotEqual(other.map(NATLayout.normalized), wanted.map(NATLayout.normalized))
    }

    func testListingReadsSetsRulesAndStrangers() throws {
        let output = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
          {"table": {"family": "ip", "name": "vnet", "handle": 1}},
          {"set": {"family": "ip", "name": "pod_stats", "table": "vnet", "type": "ipv4_addr", "handle": 2,
                   "elem": [{"elem": {"val": "10.240.1.10", "counter": {"packets": 10, "bytes": 830}}}, "10.240.1.11",
                            {"prefix": {"addr": "10.9.0.0", "len": 16}}],
                   "stmt": [{"counter": null}]}},
          {"map": {"family": "ip", "name": "sneaky", "table": "vnet", "type": "ipv4_addr", "map": "verdict"}},
          {"chain": {"family": "ip", "table": "vnet", "name": "postrouting", "handle": 3, "type": "nat",
                     "hook": "postrouting", "prio": 100, "policy": "accept"}},
          {"rule": {"family": "ip", "table": "vnet", "chain": "postrouting", "handle": 9, "comment": "c",
                    "expr": [{"counter": {"packets": 2, "bytes": 256}}, {"snat": {"addr": "10.240.0.4"}}]}},
          {"rule": {"family": "ip", "table": "other", "chain": "x", "handle": 1, "expr": []}}]}
        """
        let listing = try NATListing(table: "vnet", output: output)
        let stats = try XCTUnwrap(listing.set(named: "pod_stats"))
        XCTAssertEqual(stats.elements.map(\.address), [IPv4Address(10, 240, 1, 10), IPv4Address(10, 240, 1, 11)])
        XCTAssertEqual(stats.elements.first?.counter?.bytes, 830)
        XCTAssertNil(stats.elements.last?.counter)
        XCTAssertEqual(stats.oddElements.count, 1)
        XCTAssertEqual(listing.maps.map(\.name), ["sneaky"])
        XCTAssertEqual(listing.others, [])
        XCTAssertEqual(listing.rules.count, 1, "rules of other tables are not ours")
        XCTAssertEqual(listing.rules.first?.counter?.packets, 2)
        XCTAssertEqual(listing.chains.first?.priority, 100)

        let layout = NATLayout(NATConfig(snatAddress: IPv4Address(10, 240, 0, 4), vnetCIDRs: []))
        let problems = layout.differences(from: listing)
        XCTAssertTrue(problems.contains("set pods is missing"), "\(problems)")
        XCTAssertTrue(problems.contains("unexpected map sneaky"), "\(problems)")
        XCTAssertTrue(problems.contains("chain accounting is missing"), "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("set pod_stats holds elements vnet never adds") }, "\(problems)")
    }

    func testMalformedOutputIsATypedError() {
        XCTAssertThrowsError(try NftJSON.objects(in: "not json")) { error in
            guard case .malformedListing = error as? NATError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try NftJSON.objects(in: "{\"tables\": []}"))
        XCTAssertThrowsError(try NATListing(table: "vnet", output: "{\"nftables\": [{\"rule\": {\"family\": \"ip\"}}]}")) { error in
            guard case .malformedListing = error as? NATError else { return XCTFail("\(error)") }
        }
    }

    func testConfigurationRules() throws {
        for good in ["vnet", "vnet_blue", "V-2"] { XCTAssertNoThrow(try NATConfig.validate(tableName: good)) }
        for bad in ["", "2vnet", "vnet nat", "vnet\"", "ü", String(repeating: "a", count: 65)] {
            XCTAssertThrowsError(try NATConfig.validate(tableName: bad), bad)
        }
        let config = NATConfig(snatAddress: IPv4Address(10, 240, 0, 4),
                               vnetCIDRs: [IPv4Prefix("10.240.7.9/16")!, IPv4Prefix("10.240.0.0/16")!],
                               nonMasqueradeCIDRs: [IPv4Prefix("10.0.0.0/8")!])
        XCTAssertEqual(config.keptRanges.map(\.description), ["10.0.0.0/8", "10.240.0.0/16"])
        // With no kept range the rule is left out rather than written with an empty set nft would refuse.
        let bare = NATLayout(NATConfig(snatAddress: IPv4Address(10, 240, 0, 4), vnetCIDRs: []))
        // 4 in postrouting and accounting, the hairpin and public-IP SNAT, and 3 DNAT rules in each of prerouting
        // and output.
        XCTAssertEqual(bare.rules.count, 4 + 2 + 6)
        XCTAssertEqual(NATLayout(config).rules.count, 5 + 2 + 6)
    }
}
