import XCTest
import VNetModel
@testable import VNetPools

final class MetadataDocumentTests: XCTestCase {
    func addresses(_ texts: String...) -> [IPv4Address] { texts.compactMap { IPv4Address($0) } }

    func testWireserverPrimaryInterfaceByDefault() throws {
        let interfaces = try WireserverDocument.parse(Fixtures.wireserver)
        XCTAssertEqual(interfaces.map(\.macAddress), ["002248263DBD", "00224826AAAA"])
        let chosen = try MetadataInterface.select(interfaces, mac: nil, source: "wireserver")
        let definition = try chosen.definition(source: "wireserver")
        XCTAssertEqual(definition.subnet.description, "10.240.0.0/16")
        XCTAssertEqual(definition.gateway, IPv4Address("10.240.0.1"))
        XCTAssertEqual(definition.addresses, ["10.240.0.5", "10.240.0.6", "10.240.0.7", "10.240.0.8"])
        XCTAssertEqual(definition.primaryAddresses, addresses("10.240.0.4"))
        XCTAssertEqual(try Pool(definition).capacity, 4)
    }

    func testWireserverInterfaceByMACInAnySpelling() throws {
        let interfaces = try WireserverDocument.parse(Fixtures.wireserver)
        let chosen = try MetadataInterface.select(interfaces, mac: MACAddress("00:22:48:26:aa:aa"), source: "wireserver")
        let definition = try chosen.definition(source: "wireserver")
        XCTAssertEqual(definition.subnet.description, "10.241.0.0/24")
        XCTAssertEqual(definition.addresses, ["10.241.0.9"])
        XCTAssertEqual(definition.primaryAddresses, addresses("10.241.0.4"))

        XCTAssertThrowsError(try MetadataInterface.select(interfaces, mac: MACAddress("00:00:00:00:00:01"), source: "wireserver")) { error in
            XCTAssertEqual("\(error)", "wireserver document: no interface with MAC address 000000000001 (listed: 002248263DBD, 00224826AAAA)")
        }
    }

    func testWireserverWithoutPrimaryFlagsNeedsAMAC() throws {
        let two = """
        <Interfaces><Interface MacAddress="AA0000000001"><IPSubnet Prefix="10.0.0.0/24"/></Interface>
        <Interface MacAddress="AA0000000002"><IPSubnet Prefix="10.0.1.0/24"/></Interface></Interfaces>
        """
        XCTAssertThrowsError(try MetadataInterface.select(try WireserverDocument.parse(two), mac: nil, source: "wireserver")) { error in
            XCTAssertTrue("\(error)".contains("set pool.macAddress"), "\(error)")
        }
        let one = #"<Interfaces><Interface MacAddress="AA0000000001"><IPSubnet Prefix="10.0.0.0/24"><IPAddress Address="10.0.0.9"/></IPSubnet></Interface></Interfaces>"#
        let chosen = try MetadataInterface.select(try WireserverDocument.parse(one), mac: nil, source: "wireserver")
        XCTAssertEqual(try chosen.definition(source: "wireserver").addresses, ["10.0.0.9"])
    }

    func testWireserverSecondariesOfOtherSubnetsAreLeftOut() throws {
        let doc = """
        <Interfaces><Interface MacAddress="AA0000000001" IsPrimary="TRUE">
          <IPSubnet Prefix="10.9.0.0/24"><IPAddress Address="10.9.0.7" IsPrimary="false"/></IPSubnet>
          <IPSubnet Prefix="10.240.0.0/16"><IPAddress Address="10.240.0.4" IsPrimary="true"/>
            <IPAddress Address="10.240.0.5" IsPrimary="False"/><Unknown/></IPSubnet>
        </Interface></Interfaces>
        """
        let definition = try MetadataInterface.select(try WireserverDocument.parse(doc), mac: nil, source: "wireserver")
            .definition(source: "wireserver")
        XCTAssertEqual(definition.subnet.description, "10.240.0.0/16")
        XCTAssertEqual(definition.addresses, ["10.240.0.5"])
    }

    func testWireserverDocumentErrors() {
        let cases: [(String, String)] = [
            ("<Interfaces><Interface/></Interfaces>", "<Interface> has no MacAddress attribute"),
            (#"<Interfaces><Interface MacAddress="A"><IPSubnet/></Interface></Interfaces>"#, "<IPSubnet> has no Prefix"),
            (#"<Interfaces><Interface MacAddress="A"><IPSubnet Prefix="10.0.0.0/99"/></Interface></Interfaces>"#,
             #"IPSubnet Prefix "10.0.0.0/99" is not an IPv4 prefix"#),
            (#"<Interfaces><Interface MacAddress="A"><IPSubnet Prefix="10.0.0.0/24"><IPAddress Address="10.0.0.300"/></IPSubnet></Interface></Interfaces>"#,
             #"IPAddress Address "10.0.0.300" is not an IPv4 address"#),
            (#"<Interfaces><Interface MacAddress="A"><IPSubnet Prefix="10.0.0.0/24"><IPAddress Address="10.0.1.3"/></IPSubnet></Interface></Interfaces>"#,
             "IPAddress 10.0.1.3 is outside its IPSubnet 10.0.0.0/24"),
            (#"<Interfaces><Interface MacAddress="A" IsPrimary="yes"/></Interfaces>"#, #"IsPrimary="yes" is not true or false"#),
            ("<Error>Service unavailable</Error>", "the root element is <Error>, expected <Interfaces>"),
            ("<Interfaces>", "XML line 1"),
            ("{\"interface\": []}", "XML line 1"),
        ]
        for (doc, expected) in cases {
            XCTAssertThrowsError(try WireserverDocument.parse(doc), doc) { error in
                XCTAssertTrue("\(error)".hasPrefix("wireserver document: "), "\(error)")
                XCTAssertTrue("\(error)".contains(expected), "\(doc): got \(error), expected \(expected)")
            }
        }
    }

    func testIMDSFirstInterfaceAndFirstAddressArePrimary() throws {
        let interfaces = try IMDSDocument.parse(Fixtures.imds)
        XCTAssertEqual(interfaces.map(\.isPrimary), [true, false])
        let definition = try MetadataInterface.select(interfaces, mac: nil, source: "imds").definition(source: "imds")
        XCTAssertEqual(definition.subnet.description, "10.240.0.0/16")
        XCTAssertEqual(definition.gateway, IPv4Address("10.240.0.1"))
        XCTAssertEqual(definition.addresses, ["10.240.0.5", "10.240.0.6"])
        XCTAssertEqual(definition.primaryAddresses, addresses("10.240.0.4"))

        let second = try MetadataInterface.select(interfaces, mac: MACAddress("000d3af80bbb"), source: "imds").definition(source: "imds")
        XCTAssertEqual(second.subnet.description, "10.241.0.0/24")
        XCTAssertEqual(second.addresses, ["10.241.0.10"])
        XCTAssertEqual(second.primaryAddresses, addresses("10.241.0.4"))
    }

    func testIMDSAcceptsANumericPrefixAndMissingIPv4() throws {
        let doc = """
        {"interface": [{"macAddress": "AA0000000001", "ipv4": {"ipAddress": [{"privateIpAddress": "10.1.0.4"},
          {"privateIpAddress": "10.1.0.5"}], "subnet": [{"address": "10.1.0.0", "prefix": 24}]}},
         {"macAddress": "AA0000000002"}], "extra": true}
        """
        let interfaces = try IMDSDocument.parse(doc)
        XCTAssertEqual(interfaces.count, 2)
        XCTAssertEqual(try interfaces[0].definition(source: "imds").addresses, ["10.1.0.5"])
        XCTAssertThrowsError(try interfaces[1].definition(source: "imds")) { error in
            XCTAssertTrue("\(error)".contains("has no IPv4 subnet"), "\(error)")
        }
    }

    func testIMDSDocumentErrors() {
        let cases: [(String, String)] = [
            ("{}", "missing key \"interface\""),
            (#"{"interface": [{"ipv4": {}}]}"#, "missing key \"macAddress\""),
            (#"{"interface": [{"macAddress": 5}]}"#, "interface[0].macAddress"),
            (#"{"interface": [{"macAddress": "A", "ipv4": {"ipAddress": [{"privateIpAddress": "10.0.0.4"}], "subnet": [{"address": "10.0.0.0", "prefix": "x"}]}}]}"#,
             #"subnet "10.0.0.0/x" of A is not an IPv4 prefix"#),
            (#"{"interface": [{"macAddress": "A", "ipv4": {"ipAddress": [{"privateIpAddress": "fe80::1"}], "subnet": []}}]}"#,
             #"privateIpAddress "fe80::1" of A is not an IPv4 address"#),
            (#"{"interface": [{"macAddress": "A", "ipv4": {"ipAddress": [{"privateIpAddress": "10.0.0.4"}], "subnet": [{"address": "10.9.0.0", "prefix": "24"}]}}]}"#,
             "privateIpAddress 10.0.0.4 of A is in none of its subnets"),
            ("<Interfaces/>", "not valid JSON"),
            ("", "not valid JSON"),
        ]
        for (doc, expected) in cases {
            XCTAssertThrowsError(try IMDSDocument.parse(doc), doc) { error in
                XCTAssertTrue("\(error)".hasPrefix("imds document: "), "\(error)")
                XCTAssertTrue("\(error)".contains(expected), "\(doc): got \(error), expected \(expected)")
            }
        }
    }

    func testIMDSGarbageAndDeepNestingNeverCrash() {
        XCTAssertThrowsError(try IMDSDocument.parse(String(repeating: "[", count: 100_000)))
        XCTAssertThrowsError(try IMDSDocument.parse(#"{"interface": "# + String(repeating: "[", count: 100_000)))
        var random = SplitMix(seed: 42)
        let seed = Array(Fixtures.imds.utf8)
        let alphabet = Array("{}[]\",:0123456789.eE-+ \\u\"nulltruefalse".utf8) + [0x00, 0xFF, 0xC3]
        for _ in 0..<2_000 {
            var bytes = seed
            for _ in 0..<(1 + random.below(6)) {
                let position = random.below(bytes.count + 1)
                if random.below(2) == 0, position < bytes.count { bytes[position] = alphabet[random.below(alphabet.count)] } else {
                    bytes.insert(alphabet[random.below(alphabet.count)], at: position)
                }
            }
            if let interfaces = try? IMDSDocument.parse(bytes) {
                XCTAssertLessThanOrEqual(interfaces.count, 2)
            }
        }
    }
}
