import Foundation
import VNetModel
@testable import VNetNAT
import VNetTestSupport
import XCTest

/// Public IPs and host ports with real packets:
///
///     [pod ns] p0 10.240.1.10/24 ---- vpod 10.240.1.1/24 [node ns] u0 10.240.0.4/24 ---- eth0 10.240.0.1/24 [inet ns]
///                                                                                     lo 203.0.113.10 (internet)
///
/// The inet namespace routes the pod subnet and the public IP 192.0.2.10 to the node, as the fabric would.
/// Every listener answers each UDP datagram with the source address it saw.
final class NATTranslationTests: XCTestCase {
    private var namespaces: TestNamespaces!
    private var listeners: [Process] = []
    private var node = "", pod = "", inet = ""

    private let podAddress = IPv4Address(10, 240, 1, 10)
    private let publicIP = IPv4Address(192, 0, 2, 10)
    private let internet = "203.0.113.10"
    private let config = NATConfig(snatAddress: IPv4Address(10, 240, 0, 4), vnetCIDRs: [IPv4Prefix("10.240.0.0/16")!])

    private static let echoSource = """
    import select, socket, sys
    socks = []
    for p in sys.argv[2:]:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], int(p))); socks.append(s)
    print("ready", flush=True)
    while True:
        r, _, _ = select.select(socks, [], [], 60)
        if not r: break
        for s in r:
            data, src = s.recvfrom(2048)
            s.sendto(src[0].encode(), src)
    """

    private static let send = """
    import socket, sys
    dst, port, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1); s.bind((src, 0)); s.connect((dst, port))
    seen = set()
    for i in range(3):
        s.send(b"x" * 100)
        try: seen.add(s.recv(2048).decode())
        except (socket.timeout, ConnectionRefusedError): pass
    print(",".join(sorted(seen)))
    """

    override func setUpWithError() throws {
        namespaces = TestNamespaces(tag: "vxl")
        node = try namespaces.make("node")
        pod = try namespaces.make("pod")
        inet = try namespaces.make("inet")
        let steps: [[String]] = [
            ["-n", node, "link", "add", "vpod", "type", "veth", "peer", "name", "p0", "netns", pod],
            ["-n", node, "link", "add", "u0", "type", "veth", "peer", "name", "eth0", "netns", inet],
            ["-n", pod, "addr", "add", "10.240.1.10/24", "dev", "p0"],
            ["-n", pod, "link", "set", "p0", "up"],
            ["-n", pod, "link", "set", "lo", "up"],
            ["-n", pod, "route", "add", "default", "via", "10.240.1.1"],
            ["-n", node, "addr", "add", "10.240.1.1/24", "dev", "vpod"],
            ["-n", node, "addr", "add", "10.240.0.4/24", "dev", "u0"],
            ["-n", node, "link", "set", "vpod", "up"],
            ["-n", node, "link", "set", "u0", "up"],
            ["-n", node, "link", "set", "lo", "up"],
            ["-n", node, "route", "add", "203.0.113.0/24", "via", "10.240.0.1"],
            ["-n", inet, "addr", "add", "10.240.0.1/24", "dev", "eth0"],
            ["-n", inet, "link", "set", "eth0", "up"],
            ["-n", inet, "link", "set", "lo", "up"],
            ["-n", inet, "addr", "add", "\(internet)/32", "dev", "lo"],
            ["-n", inet, "route", "add", "10.240.1.0/24", "via", "10.240.0.4"],
            ["-n", inet, "route", "add", "\(publicIP)/32", "via", "10.240.0.4"],
        ]
        for step in steps { try Shell.run(["ip"] + step) }
        try Shell.run(["ip", "netns", "exec", node, "sysctl", "-qw", "net.ipv4.ip_forward=1"])
        try listen(in: inet, on: internet, ports: [9999])
        try listen(in: pod, on: "10.240.1.10", ports: [80, 53])
    }

    private func listen(in namespace: String, on address: String, ports: [Int]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace, "python3", "-c", Self.echoSource, address] + ports.map(String.init)
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        listeners.append(process)
        let ready = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertTrue(ready.hasPrefix("ready"), "listener did not start: \(ready)")
    }

    override func tearDown() {
        for listener in listeners where listener.isRunning {
            kill(listener.processIdentifier, SIGTERM)
            listener.waitUntilExit()
        }
        listeners = []
        namespaces.removeAll()
    }

    /// The source the far end saw, sending from `namespace` (bound to `source`) to destination:port; "" when
    /// nothing answered.
    private func seen(from namespace: String, _ source: String, to destination: String, port: Int) throws -> String {
        try Shell.run(["ip", "netns", "exec", namespace, "python3", "-c", Self.send, destination, String(port), source])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private var webPod: NATPod {
        NATPod(address: podAddress, publicIP: publicIP,
               portMappings: [PortMapping(hostPort: 8080, containerPort: 80, transport: .udp),
                              PortMapping(hostPort: 8053, containerPort: 53, transport: .udp, hostIP: IPv4Address(10, 240, 1, 1))])
    }

    func testPublicIPAndHostPortsCarryRealTraffic() throws {
        let pod = webPod
        try inNamespace(node) {
            let table = try NATTable()
            XCTAssertEqual(try table.ensure(config, pods: []), .created)
            XCTAssertEqual(try table.quickCheck(config), [])
            try table.addPod(pod, config: config)
            XCTAssertEqual(try table.translationProblems(pod), [])
            XCTAssertEqual(try table.ensure(config, pods: [pod]), .unchanged, "the netlink elements are what a rebuild would write")
        }
        // Public IP: out with it, and in to the pod, which sees the caller's own address.
        XCTAssertEqual(try seen(from: self.pod, "10.240.1.10", to: internet, port: 9999), "\(publicIP)")
        XCTAssertEqual(try seen(from: inet, internet, to: "\(publicIP)", port: 80), internet)
        // Host port on any node address: from outside, from the node itself, and from the pod itself (hairpin).
        XCTAssertEqual(try seen(from: inet, internet, to: "10.240.0.4", port: 8080), internet)
        XCTAssertEqual(try seen(from: node, "10.240.0.4", to: "10.240.0.4", port: 8080), "10.240.0.4")
        XCTAssertEqual(try seen(from: self.pod, "10.240.1.10", to: "10.240.0.4", port: 8080), "10.240.0.4",
                       "a pod reaching its own host port comes from the node's address")
        XCTAssertEqual(try seen(from: self.pod, "10.240.1.10", to: "\(publicIP)", port: 80), "10.240.0.4",
                       "a pod reaching its own public IP comes from the node's address")
        // hostIP honoured: the port answers on 10.240.1.1 only.
        XCTAssertEqual(try seen(from: node, "10.240.0.4", to: "10.240.1.1", port: 8053), "10.240.0.4")
        XCTAssertEqual(try seen(from: inet, internet, to: "10.240.0.4", port: 8053), "")

        let snapshot = try inNamespace(node) { try NATTable().snapshot() }
        // Connections: one pod -> internet with its public IP; the internet host and the pod itself to the public
        // IP and to the host port; the pod's two hairpins; the node's own two.
        func count(_ comment: String) -> UInt64? { snapshot.rules.first { $0.comment == comment }?.packets }
        XCTAssertEqual(count("vnet: pods with a public IP leave with it"), 1)
        XCTAssertEqual(count("vnet: DNAT a public IP to its pod"), 2)
        XCTAssertEqual(count("vnet: DNAT a host port on the node's addresses to its pod"), 2)
        XCTAssertEqual(count("vnet: pods reaching a public IP or host port of this node's pods leave with 10.240.0.4"), 2)
        XCTAssertEqual(count("vnet: DNAT a host port on its hostIP to its pod (from the node itself)"), 1)
        XCTAssertEqual(count("vnet: DNAT a host port on the node's addresses to its pod (from the node itself)"), 1)
        XCTAssertEqual(snapshot.snatAddress, config.snatAddress)

        // CHECK sees an element deleted by hand; a rebuild from the pods puts every element back.
        try Shell.nft(node, "delete", "element", "ip", "vnet", "host_port_targets", "{ udp . 8080 }")
        try inNamespace(node) {
            let table = try NATTable()
            XCTAssertEqual(try table.translationProblems(pod), ["host_port_targets { udp . 8080 : 80 } is missing"])
            guard case .podsReconciled = try table.ensure(config, pods: [pod]) else { return XCTFail("the element is reconciled") }
            XCTAssertEqual(try table.translationProblems(pod), [])
            try Shell.nft(node, "flush", "ruleset")
            XCTAssertEqual(try table.ensure(config, pods: [pod]), .created)
            XCTAssertEqual(try table.translationProblems(pod), [])
            try table.removePod(pod)
            try table.removePod(pod)
            XCTAssertEqual(try table.translationProblems(pod).count, 6, "every element of the pod is gone")
        }
        let listing = try Shell.nft(node, "-j", "list", "table", "ip", "vnet")
        XCTAssertFalse(listing.contains("\"elem\""), listing)
        XCTAssertEqual(try seen(from: inet, internet, to: "10.240.0.4", port: 8080), "")
    }

    func testElementsEncodeLikeNft() {
        let element = NATLayout.MapElement(map: NATLayout.hostIPPortMap, key: [.address(IPv4Address(10, 240, 0, 4)), .transport(.udp), .port(53)],
                                           data: .address(podAddress))
        // `nft --debug=netlink add element ... { 10.240.0.4 . udp . 53 : ... }`: 0a f0 00 04 | 11 00 00 00 | 00 35 00 00
        XCTAssertEqual(element.keyBytes, [10, 240, 0, 4, 17, 0, 0, 0, 0, 53, 0, 0])
        XCTAssertEqual(element.dataBytes, [10, 240, 1, 10])
        XCTAssertEqual(NATLayout.MapElement(map: NATLayout.hostPortTargetMap, key: [.transport(.tcp), .port(8080)], data: .port(80)).dataBytes,
                       [0, 80])
        XCTAssertEqual(NATLayout.normalizedElement(element.json), "10.240.0.4 . udp . 53 : 10.240.1.10")
    }
}
