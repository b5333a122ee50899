import Foundation
import VNetModel
import VNetNAT
import VNetTestSupport
import XCTest

/// Real packets through a node namespace:
///
///     [pod ns] p0 10.240.1.10/24 ---- vpod 10.240.1.1/24 [node ns] u0 10.240.0.4/24 ---- eth0 10.240.0.1/24 [inet ns]
///                                                                                     lo 203.0.113.10 (internet)
///                                                                                     lo 198.51.100.10 (peer)
///
/// The inet namespace answers each UDP datagram with the source address it saw, so the pod learns whether
/// it was translated. It has a route back to the pod subnet, so untranslated traffic is answered too.
final class NATTrafficTests: XCTestCase {
    private var namespaces: TestNamespaces!
    private var listener: Process?
    private var node = "", pod = "", inet = ""

    private let pod1 = IPv4Address(10, 240, 1, 10)
    private let internet = "203.0.113.10"
    private let peer = "198.51.100.10"
    private let config = NATConfig(snatAddress: IPv4Address(10, 240, 0, 4),
                                   vnetCIDRs: [IPv4Prefix("10.240.0.0/16")!],
                                   nonMasqueradeCIDRs: [IPv4Prefix("198.51.100.0/24")!])

    /// Answers every datagram on port 9999 of each address given with the source address it came from.
    private static let echoSource = """
    import select, socket, sys
    socks = []
    for a in sys.argv[1:]:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((a, 9999)); socks.append(s)
    print("ready", flush=True)
    while True:
        r, _, _ = select.select(socks, [], [], 60)
        if not r: break
        for s in r:
            data, src = s.recvfrom(2048)
            s.sendto(src[0].encode(), src)
    """

    /// Sends N datagrams of 100 bytes from one socket (one connection) and prints the sources seen.
    private static let send = """
    import socket, sys
    dst, n, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2); s.bind((src, 0)); s.connect((dst, 9999))
    seen = set()
    for i in range(n):
        s.send(b"x" * 100)
        try: seen.add(s.recv(2048).decode())
        except socket.timeout: pass
    print(",".join(sorted(seen)))
    """

    override func setUpWithError() throws {
        namespaces = TestNamespaces(tag: "vnat")
        node = try namespaces.make("node")
        pod = try namespaces.make("pod")
        inet = try namespaces.make("inet")
        let steps: [[String]] = [
            ["-n", node, "link", "add", "vpod", "type", "veth", "peer", "name", "p0", "netns", pod],
            ["-n", node, "link", "add", "u0", "type", "veth", "peer", "name", "eth0", "netns", inet],
            ["-n", pod, "addr", "add", "10.240.1.10/24", "dev", "p0"],
            ["-n", pod, "addr", "add", "10.240.1.20/24", "dev", "p0"],
            ["-n", pod, "link", "set", "p0", "up"],
            ["-n", pod, "route", "add", "default", "via", "10.240.1.1"],
            ["-n", node, "addr", "add", "10.240.1.1/24", "dev", "vpod"],
            ["-n", node, "addr", "add", "10.240.0.4/24", "dev", "u0"],
            ["-n", node, "link", "set", "vpod", "up"],
            ["-n", node, "link", "set", "u0", "up"],
            ["-n", node, "route", "add", "203.0.113.0/24", "via", "10.240.0.1"],
            ["-n", node, "route", "add", "198.51.100.0/24", "via", "10.240.0.1"],
            ["-n", inet, "addr", "add", "10.240.0.1/24", "dev", "eth0"],
            ["-n", inet, "link", "set", "eth0", "up"],
            ["-n", inet, "link", "set", "lo", "up"],
            ["-n", inet, "addr", "add", "\(internet)/32", "dev", "lo"],
            ["-n", inet, "addr", "add", "\(peer)/32", "dev", "lo"],
            ["-n", inet, "route", "add", "10.240.1.0/24", "via", "10.240.0.4"],
        ]
        for step in steps { try Shell.run(["ip"] + step) }
        try Shell.run(["ip", "netns", "exec", node, "sysctl", "-qw", "net.ipv4.ip_forward=1"])

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", inet, "python3", "-c", Self.echoSource, internet, peer]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        listener = process
        let ready = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertTrue(ready.hasPrefix("ready"), "listener did not start: \(ready)")
    }

    override func tearDown() {
        if let listener, listener.isRunning {
            kill(listener.processIdentifier, SIGTERM)
            listener.waitUntilExit()
        }
        namespaces.removeAll()
    }

    /// Sources the far end saw for `count` datagrams from `source` to `destination`.
    private func sourcesSeen(from source: String = "10.240.1.10", to destination: String, count: Int = 5) throws -> String {
        try Shell.run(["ip", "netns", "exec", pod, "python3", "-c", Self.send, destination, String(count), source])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func rule(_ snapshot: NATSnapshot, _ words: String) -> NATRuleCounter? {
        snapshot.rules.first { $0.comment.contains(words) }
    }

    func testSnatToInternetKeepsAddressToPeersAndCounts() throws {
        let before = try inNamespace(node) { () -> NATSnapshot in
            let table = try NATTable()
            XCTAssertEqual(try table.ensure(config, addresses: []), .created)
            try table.addPod(pod1)
            return try table.snapshot()
        }
        XCTAssertEqual(before.perPod, [PodNATCounter(address: pod1, packets: 0, bytes: 0)])

        XCTAssertEqual(try sourcesSeen(to: internet), "10.240.0.4", "traffic leaving the VNet is SNAT-ed")
        XCTAssertEqual(try sourcesSeen(to: peer), "10.240.1.10", "no-masquerade ranges see the pod address")
        XCTAssertEqual(try sourcesSeen(from: "10.240.1.20", to: internet), "10.240.1.20", "non-pod addresses are left alone")

        let after = try inNamespace(node) { try NATTable().snapshot() }
        XCTAssertEqual(after.snatAddress, config.snatAddress)
        XCTAssertEqual(rule(after, "SNAT")?.packets, 1, "one SNAT-ed connection")
        XCTAssertEqual(rule(after, "no-masquerade")?.packets, 1, "one connection kept its address")
        let counted = try XCTUnwrap(after.perPod.first { $0.address == pod1 })
        // 5 requests out and 5 answers back, each of one SNAT-ed connection: 128-byte requests and answers
        // of 28 + len("10.240.0.4") bytes.
        XCTAssertEqual(counted.packets, 10)
        XCTAssertEqual(counted.bytes, 5 * 128 + 5 * 38)
        XCTAssertEqual(rule(after, "per-pod")?.bytes, counted.bytes)

        // Removing the pod's element is the whole per-pod NAT state: new connections go out untranslated.
        try inNamespace(node) { try NATTable().removePod(pod1) }
        XCTAssertEqual(try sourcesSeen(to: internet), "10.240.1.10")
    }

    /// How long per-pod changes take (printed, not asserted: the machine is shared).
    func testPerPodChangeCost() throws {
        try inNamespace(node) {
            let table = try NATTable()
            _ = try table.ensure(config, addresses: [])
            let pods = (0..<200).map { IPv4Address(10, 240, 2, UInt8($0)) }
            let clock = ContinuousClock()
            let added = try clock.measure { for address in pods { try table.addPod(address) } }
            XCTAssertEqual(try table.pods().count, 200)
            let listed = try clock.measure { _ = try table.snapshot() }
            let ensured = try clock.measure { XCTAssertEqual(try table.ensure(config, addresses: pods), .unchanged) }
            let removed = try clock.measure { for address in pods { try table.removePod(address) } }
            XCTAssertEqual(try table.pods(), [])
            print("NAT cost with 200 pods: addPod \(added / 200) each, removePod \(removed / 200) each, "
                  + "snapshot \(listed), unchanged ensure \(ensured)")
        }
    }
}
