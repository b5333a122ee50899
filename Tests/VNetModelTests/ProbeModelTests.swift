import XCTest
@testable import VNetModel

/// The probe's pure parts: the verdict from hop facts, the ICMP and DNS bytes, the `probe` key, and how a
/// pod reference resolves.
final class ProbeModelTests: XCTestCase {
    private let gateway = IPv4Address("10.240.0.1")!
    private let internet = IPv4Address("203.0.113.10")!

    private func pass(_ kind: ProbeHopKind, _ address: String) -> ProbeHop {
        ProbeHop(kind: kind, address: IPv4Address(address), outcome: .pass, milliseconds: 0.4,
                 moved: ProbeCounterMovement(snatPackets: 0, vethRxPackets: 1, vethTxPackets: 1),
                 neighbour: kind == .gateway ? NeighbourEntry(state: .reachable, mac: "aa:bb:cc:dd:ee:ff") : nil, natTablePresent: true)
    }

    func testEveryHopPassingIsClearAndSkippedHopsAreCountedNotFailed() {
        let hops = [pass(.gateway, "10.240.0.1"), pass(.node, "10.240.0.4"), ProbeHop.skipped(.vnetAddress, .notConfigured(setting: "vnetAddress"))]
        let report = ProbeReport(pod: "team/web-0", key: AttachmentKey(containerID: "c", ifname: "eth0"),
                                 podAddress: IPv4Address("10.240.16.10")!, hops: hops)
        XCTAssertTrue(report.passed)
        XCTAssertEqual(report.verdict.text, "clear: 2 hops passed (1 skipped)")
        XCTAssertEqual(hops[2].detail, "skipped: no target: set probe.vnetAddress or pass --vnet-address")
    }

    func testAGatewayWithoutANeighbourEntryIsNamedFirstEvenWhenLaterHopsFailToo() {
        let gatewayHop = ProbeHop(kind: .gateway, address: gateway, outcome: .fail(.noReply), milliseconds: 1000,
                                  moved: ProbeCounterMovement(snatPackets: 0, vethRxPackets: 3, vethTxPackets: 0))
        let internetHop = ProbeHop(kind: .internet, address: internet, outcome: .fail(.noReply), milliseconds: 1000,
                                   moved: ProbeCounterMovement(snatPackets: 1, vethRxPackets: 1, vethTxPackets: 0), natTablePresent: true)
        let verdict = ProbeVerdict([internetHop, gatewayHop])
        XCTAssertEqual(verdict.text, "gateway 10.240.0.1: no neighbour entry, no reply (+1 more failed)")
        XCTAssertFalse(verdict.passed)
    }

    func testTheInternetHopTellsSNATMatchedFromNoRuleAndAMissingTable() {
        func internetHop(snat: UInt64?, table: Bool) -> ProbeHop {
            ProbeHop(kind: .internet, address: internet, outcome: .fail(.noReply), milliseconds: 1000,
                     moved: ProbeCounterMovement(snatPackets: snat, vethRxPackets: 1, vethTxPackets: 0), natTablePresent: table)
        }
        XCTAssertEqual(ProbeVerdict([internetHop(snat: 1, table: true)]).text, "internet 203.0.113.10: SNAT rule matched, no reply")
        XCTAssertEqual(ProbeVerdict([internetHop(snat: nil, table: false)]).text,
                       "internet 203.0.113.10: no SNAT rule matched (vnet's nat table missing?)")
        XCTAssertEqual(ProbeVerdict([internetHop(snat: 0, table: true)]).text, "internet 203.0.113.10: no SNAT rule matched, no reply")
        XCTAssertTrue(internetHop(snat: nil, table: false).detail.contains("vnet's NAT table is missing"))
    }

    func testARouterThatSaysNoIsQuotedAndAProbeThatNeverLeftThePodIsSaidSo() {
        let unreachable = ProbeHop(kind: .vnetAddress, address: IPv4Address("192.168.1.10"),
                                   outcome: .fail(.unreachable(from: gateway, reason: ICMPUnreachableReason(type: 3, code: 0))),
                                   milliseconds: 0.5)
        XCTAssertEqual(ProbeVerdict([unreachable]).text, "vnet address 192.168.1.10: network unreachable (ICMP from 10.240.0.1)")
        let stuck = ProbeHop(kind: .node, address: IPv4Address("10.240.0.4"), outcome: .fail(.noReply), milliseconds: 1000,
                             moved: ProbeCounterMovement(snatPackets: 0, vethRxPackets: 0, vethTxPackets: 0))
        XCTAssertTrue(ProbeVerdict([stuck]).text.hasPrefix("node 10.240.0.4: no reply; nothing reached the node"))
    }

    func testCounterMovementIsTheDifferenceAndUnreadableCountersStayUnknown() {
        let before = ProbeCounterReading(snatPackets: 10, vethRxPackets: 100, vethTxPackets: 50, natTablePresent: true)
        let after = ProbeCounterReading(snatPackets: nil, vethRxPackets: 102, vethTxPackets: 51, natTablePresent: false)
        let moved = ProbeCounterMovement(before: before, after: after)
        XCTAssertEqual(moved, ProbeCounterMovement(snatPackets: nil, vethRxPackets: 2, vethTxPackets: 1))
        XCTAssertEqual(moved.text, "snat -  veth rx +2 tx +1")
    }

    func testTheJSONContractNamesEveryField() throws {
        let report = ProbeReport(pod: "team/web-0", key: AttachmentKey(containerID: "c", ifname: "eth0"),
                                 podAddress: IPv4Address("10.240.16.10")!, hops: [pass(.gateway, "10.240.0.1")])
        let hop = try XCTUnwrap(report.json["hops"]?.arrayValue?.first)
        XCTAssertEqual(Set(hop.objectValue?.keys.map { $0 } ?? []),
                       ["target", "kind", "address", "outcome", "milliseconds", "detail", "moved", "neighbour"])
        XCTAssertEqual(hop["target"]?.stringValue, "gateway 10.240.0.1")
        XCTAssertEqual(hop["outcome"]?.stringValue, "pass")
        XCTAssertEqual(hop["moved"]?["vethRxPackets"]?.intValue, 1)
        XCTAssertEqual(report.json["verdict"]?.stringValue, "clear: 1 hop passed")
    }

    // MARK: - Bytes

    func testAnEchoRequestHasAValidChecksumAndItsReplyAndErrorsAreRecognised() {
        let echo = ICMPEcho(identifier: 0x1234, sequence: 7)
        let request = echo.request
        XCTAssertEqual(ICMPEcho.checksum(request), 0, "a packet with its checksum sums to zero")
        func ipv4(from source: [UInt8], _ payload: [UInt8]) -> [UInt8] {
            [0x45, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0] + source + [10, 240, 16, 10] + payload
        }
        var reply = request
        reply[0] = 0
        XCTAssertEqual(echo.read(ipv4(from: [10, 240, 0, 1], reply)), .reply(from: gateway))
        XCTAssertEqual(ICMPEcho(identifier: 0x1234, sequence: 8).read(ipv4(from: [10, 240, 0, 1], reply)), .unrelated)
        let quoted = ipv4(from: [10, 240, 16, 10], Array(request.prefix(8)))
        let error = ipv4(from: [10, 240, 0, 1], [3, 1, 0, 0, 0, 0, 0, 0] + quoted)
        XCTAssertEqual(echo.read(error), .error(from: gateway, reason: .host))
        XCTAssertEqual(echo.read([1, 2, 3]), .unrelated)
    }

    func testADNSQueryCarriesTheNameAndAnyAnswerWithItsIDCounts() throws {
        let question = DNSQuestion(id: 0xbeef, name: "example.com")
        let query = try XCTUnwrap(question.datagram)
        XCTAssertEqual(Array(query.prefix(4)), [0xbe, 0xef, 0x01, 0x00])
        XCTAssertEqual(Array(query[12...]), [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 1, 0, 1])
        var answer = query
        answer[2] = 0x81
        answer[3] = 0x83
        XCTAssertEqual(question.responseCode(of: answer), 3, "NXDOMAIN is an answer")
        XCTAssertNil(question.responseCode(of: query), "a query is not an answer")
        XCTAssertNil(DNSQuestion(id: 1, name: "bad name").datagram)
        XCTAssertEqual(DNSQuestion.labels(of: "."), [])
    }

    func testNeighbourStatesFromTheKernelsBits() {
        XCTAssertEqual(NeighbourState(nudBits: 0x02), .reachable)
        XCTAssertEqual(NeighbourState(nudBits: 0x01), .incomplete)
        XCTAssertEqual(NeighbourState(nudBits: 0x20), .failed)
        XCTAssertNil(NeighbourState(nudBits: 0))
        XCTAssertFalse(NeighbourState.failed.resolved)
    }

    // MARK: - Configuration

    private func settings(_ json: String) throws -> ProbeSettings {
        let object = try XCTUnwrap(JSONParser.parse(Array(json.utf8)).objectValue)
        return try ProbeSettings.parse(ConfigReader(object, context: "probe"))
    }

    func testTheProbeKeyIsReadAndBadValuesAreNamed() throws {
        let read = try settings(#"{"vnetAddress": "192.168.1.10", "internetAddress": "203.0.113.10", "timeoutSeconds": 0.5}"#)
        XCTAssertEqual(read, ProbeSettings(vnetAddress: IPv4Address("192.168.1.10"), internetAddress: internet, timeoutSeconds: 0.5))
        XCTAssertEqual(try settings("{}"), ProbeSettings())
        for (json, words) in [(#"{"vnetAddress": "nope"}"#, "\"probe.vnetAddress\" is \"nope\""),
                              (#"{"timeoutSeconds": 0}"#, "\"probe.timeoutSeconds\" is 0.0"),
                              (#"{"timeoutSeconds": "1"}"#, "must be a number"),
                              (#"{"dnsName": "a b"}"#, "not a DNS name"),
                              (#"{"internetAddr": "1.2.3.4"}"#, "\"probe.internetAddr\" is not a probe setting")] {
            XCTAssertThrowsError(try settings(json)) { error in
                XCTAssertTrue("\(error)".contains(words), "\(json): \(error)")
            }
        }
    }

    // MARK: - Lookup

    func testAPodIsFoundByNameOrContainerPrefixAndAmbiguityIsRefused() throws {
        func endpoint(_ id: String, _ ns: String?, _ name: String?, ifname: String = "eth0") -> Endpoint {
            Endpoint(key: AttachmentKey(containerID: id, ifname: ifname), phase: .ready, address: IPv4Prefix("10.240.16.10/16")!,
                     gateway: gateway, hostVeth: "vn0", netns: "/ns", bridge: "vnet0", pod: PodIdentity(namespace: ns, name: name),
                     createdAt: Date(timeIntervalSince1970: 0))
        }
        let endpoints = [endpoint("abcdef123456", "team", "web-0"), endpoint("abcdef999999", "team", "web-1"),
                         endpoint("0123456789", "other", "web-0"), endpoint("twoifs000000", "x", "multi"),
                         endpoint("twoifs000000", "x", "multi", ifname: "net1")]
        XCTAssertEqual(try EndpointReference("team/web-0").resolve(in: endpoints).key.containerID, "abcdef123456")
        XCTAssertEqual(try EndpointReference("abcdef9").resolve(in: endpoints).pod.name, "web-1")
        XCTAssertEqual(try EndpointReference("twoifs000000/net1").resolve(in: endpoints).key.ifname, "net1")
        XCTAssertThrowsError(try EndpointReference("web-0").resolve(in: endpoints)) { error in
            guard case EndpointReference.LookupError.ambiguous(_, let candidates) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(candidates.count, 2)
        }
        XCTAssertThrowsError(try EndpointReference("abcdef").resolve(in: endpoints), "a prefix of two is ambiguous")
        XCTAssertThrowsError(try EndpointReference("abc").resolve(in: endpoints), "too short a prefix finds nothing")
        XCTAssertThrowsError(try EndpointReference("team/none").resolve(in: endpoints))
    }
}
