import XCTest
import VNetModel
@testable import VNetState

/// The direct state writer and reader against the general path (`JSONValue` through `JSONWriter` and
/// `JSONParser`): same bytes out, same state in, and the direct reader hands anything unusual back.
final class StateDocumentCodecTests: XCTestCase {
    func sample(pods: Int) -> NetworkState { Self.sample(pods: pods) }

    /// A state with every optional field both present and absent across its pods.
    static func sample(pods: Int) -> NetworkState {
        var state = NetworkState(network: "azure")
        state.generation = 41
        let created = Date(timeIntervalSince1970: 1_800_000_123)
        for n in 0..<pods {
            let key = AttachmentKey(containerID: String(repeating: "c\(n)", count: 8), ifname: n % 3 == 0 ? "net1" : "eth0")
            let address = IPv4Address(10, 240, UInt8(n / 200), UInt8(n % 200 + 4))
            let pod = n % 4 == 0 ? PodIdentity() : PodIdentity(namespace: "kube-system", name: "pod-\(n)")
            state.leases.append(Lease(key: key, address: address, pod: pod, netns: n % 5 == 0 ? nil : "/var/run/netns/cni-\(n)",
                                      createdAt: created + Double(n), owner: n % 7 == 0 ? "vnet-ipam" : "vnet"))
            if n % 7 != 0 {
                state.endpoints.append(Endpoint(key: key, phase: n % 2 == 0 ? .attaching : .ready,
                                                address: IPv4Prefix(address: address, length: 16), gateway: IPv4Address(10, 240, 0, 1),
                                                hostVeth: HostVethName.make(network: "azure", key: key),
                                                podMAC: n % 3 == 0 ? nil : "0a:58:0a:f0:00:\(n % 10)0", netns: "/var/run/netns/cni-\(n)",
                                                bridge: "vnet0", pod: pod, createdAt: created))
            }
        }
        state.released = [ReleasedAddress(address: IPv4Address(10, 240, 9, 9), releasedAt: created)]
        state.flagged = pods > 0 ? [IPv4Address(10, 240, 0, 4)] : []
        state.quarantined = pods > 1 ? [IPv4Address(10, 240, 0, 5), IPv4Address(255, 0, 10, 100)] : []
        return state
    }

    /// The general writer's document, sealed the same way (the seal is found by its marker).
    func general(_ state: NetworkState) -> [UInt8] {
        var bytes = JSONWriter.bytes(StateDocument.json(state), pretty: true) + [UInt8(ascii: "\n")]
        let marker = DocumentSeal.marker
        if let at = (0...(bytes.count - marker.count)).last(where: { Array(bytes[$0..<($0 + marker.count)]) == marker }) {
            DocumentSeal.apply(&bytes, at: at + marker.count)
        }
        return bytes
    }

    func testWriterMatchesTheGeneralWriter() throws {
        for pods in [0, 1, 2, 30] {
            XCTAssertEqual(String(decoding: try StateCodec.encode(sample(pods: pods)), as: UTF8.self),
                           String(decoding: general(sample(pods: pods)), as: UTF8.self), "\(pods) pods")
        }
        var odd = sample(pods: 3)
        odd.leases[1].pod = PodIdentity(namespace: "tab\there", name: "quote\"back\\slash é \u{1}")
        odd.network = "n-\u{7f}"
        XCTAssertEqual(try StateCodec.encode(odd), general(odd))
    }

    func testBothReadersGiveTheSameState() throws {
        for pods in [0, 1, 30] {
            let bytes = try StateCodec.encode(sample(pods: pods))
            guard case .success(let fast) = StateCodec.decode(bytes), case .success(let slow) = StateCodec.decode(bytes, reader: .general) else {
                return XCTFail("\(pods) pods: refused")
            }
            XCTAssertEqual(fast, slow)
            XCTAssertEqual(fast, sample(pods: pods))
        }
    }

    /// Escapes, unknown keys, duplicate keys, null optionals and compact layout: whichever reader reads
    /// them, the result is what the general reader says.
    func testUnusualDocumentsReadAsTheGeneralReaderReadsThem() {
        let lease = #""key": {"containerID": "c", "ifname": "eth0"}, "address": "10.0.0.5", "createdAt": "2026-11-29T06:59:00Z", "owner": "vnet""#
        func doc(_ leaseBody: String, extra: String = "") -> [UInt8] {
            Array(#"{"schema":1,"network":"n","generation":2,"released":[],"endpoints":[],"flagged":[],"leases":[{"#.utf8)
                + Array(leaseBody.utf8) + Array("}]\(extra)}".utf8)
        }
        let cases: [(String, [UInt8])] = [
            ("escaped string", doc(lease + #", "pod": {"name": "a\"b"}"#)),
            ("non-ASCII", doc(lease + #", "pod": {"name": "café"}"#)),
            ("null netns", doc(lease + #", "pod": {}, "netns": null"#)),
            ("unknown key", doc(lease + #", "pod": {}, "future": [1, {"x": null}]"#)),
            ("duplicate key", doc(lease + #", "pod": {}, "owner": "vnet-ipam""#)),
            ("no quarantined", doc(lease + #", "pod": {}"#)),
            ("quarantined", doc(lease + #", "pod": {}"#, extra: #", "quarantined": ["10.0.0.9"]"#)),
            ("fraction in generation", Array(#"{"schema":1,"network":"n","generation":2.0,"released":[],"endpoints":[],"flagged":[],"leases":[]}"#.utf8)),
            ("negative generation", Array(#"{"schema":1,"network":"n","generation":-3,"released":[],"endpoints":[],"flagged":[],"leases":[]}"#.utf8)),
            ("schema 2", Array(#"{"schema":2,"network":"n","generation":2,"released":[],"endpoints":[],"flagged":[],"leases":[]}"#.utf8)),
            ("missing owner", doc(#""key": {"containerID": "c", "ifname": "eth0"}, "address": "10.0.0.5", "createdAt": "2026-11-29T06:59:00Z", "pod": {}"#)),
            ("trailing data", doc(lease + #", "pod": {}"#) + Array(" x".utf8)),
        ]
        for (name, bytes) in cases {
            let fast = StateCodec.decode(bytes), slow = StateCodec.decode(bytes, reader: .general)
            switch (fast, slow) {
            case (.success(let a), .success(let b)): XCTAssertEqual(a, b, name)
            case (.failure(let a), .failure(let b)): XCTAssertEqual(a.reason, b.reason, name)
            default: XCTFail("\(name): \(fast) against \(slow)")
            }
        }
        guard case .success(let state) = StateCodec.decode(doc(lease + #", "pod": {}, "owner": "vnet-ipam""#)) else { return XCTFail() }
        XCTAssertEqual(state.leases.first?.owner, "vnet-ipam", "the last of duplicate keys wins, as in the general reader")
    }
}
