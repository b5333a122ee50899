import XCTest
import VNetModel
@testable import VNetOperations

/// A public IP or host port another endpoint holds refuses the ADD (code 107); `runtimeConfig.portMappings`
/// entries are read as runtimes send them.
final class TranslationsTests: XCTestCase {
    private func endpoint(_ id: String, publicIP: IPv4Address? = nil, ports: [PortMapping] = []) -> Endpoint {
        Endpoint(key: AttachmentKey(containerID: id, ifname: "eth0"), phase: .attaching,
                 address: IPv4Prefix(address: IPv4Address(10, 240, 16, 10), length: 16), gateway: IPv4Address(10, 240, 0, 1),
                 hostVeth: "vn\(id)", netns: "/n", bridge: "vnet0", pod: PodIdentity(namespace: "web", name: id),
                 createdAt: Date(timeIntervalSince1970: 0), publicIP: publicIP, portMappings: ports)
    }

    func testConflicts() {
        let a = IPv4Address(10, 240, 0, 4), b = IPv4Address(10, 240, 0, 5)
        let others = [endpoint("x", publicIP: IPv4Address(198, 51, 100, 10), ports: [PortMapping(hostPort: 8080, containerPort: 80)]),
                      endpoint("y", ports: [PortMapping(hostPort: 53, containerPort: 53, transport: .udp, hostIP: a)])]
        func refusal(_ mine: Endpoint) -> String? {
            guard let error = Translations.conflict(mine, others: others) else { return nil }
            guard case .taken = error.kind else { return "wrong kind" }
            return error.message
        }
        XCTAssertEqual(refusal(endpoint("z", publicIP: IPv4Address(198, 51, 100, 10))),
                       "public IP 198.51.100.10 is already given to container x (eth0, pod web/x, 10.240.16.10)")
        XCTAssertNil(refusal(endpoint("z", publicIP: IPv4Address(198, 51, 100, 11))))
        XCTAssertNotNil(refusal(endpoint("z", ports: [PortMapping(hostPort: 8080, containerPort: 81, hostIP: b)])), "any address holds every hostIP")
        XCTAssertNil(refusal(endpoint("z", ports: [PortMapping(hostPort: 8080, containerPort: 80, transport: .udp)])), "udp is another port")
        XCTAssertNotNil(refusal(endpoint("z", ports: [PortMapping(hostPort: 53, containerPort: 53, transport: .udp)])))
        XCTAssertNil(refusal(endpoint("z", ports: [PortMapping(hostPort: 53, containerPort: 53, transport: .udp, hostIP: b)])), "another hostIP")
        XCTAssertNotNil(refusal(endpoint("z", ports: [PortMapping(hostPort: 9, containerPort: 9), PortMapping(hostPort: 9, containerPort: 10)])))
        // A retried ADD finds its own record, which is no conflict.
        XCTAssertNil(Translations.conflict(others[0], others: others))
    }

    func testPortMappingsAreReadAsRuntimesSendThem() throws {
        func parse(_ json: String) -> Result<[PortMapping], ConfigError> {
            Result { () throws(ConfigError) in try PortMapping.parse(try! JSONParser.parse(Array(json.utf8))) }
        }
        XCTAssertEqual(try parse(#"[{"hostPort": 8080, "containerPort": 80, "protocol": "TCP"}, {"hostPort": 8080, "containerPort": 80, "protocol": "tcp", "hostIP": ""},"#
                                 + #"{"hostPort": 53, "containerPort": 5353, "protocol": "udp", "hostIP": "10.240.0.4"}, {"hostPort": 1, "containerPort": 1, "hostIP": "::"},"#
                                 + #"{"hostPort": 2, "containerPort": 2, "hostIP": "0.0.0.0"}]"#).get(),
                       [PortMapping(hostPort: 8080, containerPort: 80), PortMapping(hostPort: 53, containerPort: 5353, transport: .udp, hostIP: IPv4Address(10, 240, 0, 4)),
                        PortMapping(hostPort: 2, containerPort: 2)])
        func message(_ json: String) -> String {
            if case .failure(let error) = parse(json) { return error.message }
            return "accepted"
        }
        XCTAssertEqual(message(#"[{"hostPort": 0, "containerPort": 80}]"#), #"runtimeConfig.portMappings[0]: "hostPort" must be a port from 1 to 65535"#)
        XCTAssertEqual(message(#"[{"hostPort": 80, "containerPort": 80}, {"hostPort": 80, "containerPort": 80, "protocol": "sctp"}]"#),
                       #"runtimeConfig.portMappings[1]: "protocol" must be "tcp" or "udp""#)
        XCTAssertEqual(message(#"[{"hostPort": 80, "containerPort": 80, "hostIP": "1.2.3"}]"#),
                       #"runtimeConfig.portMappings[0]: "hostIP" "1.2.3" is not an IPv4 address"#)
        XCTAssertEqual(message(#"{"hostPort": 80}"#), #""runtimeConfig.portMappings" must be an array"#)
    }
}
