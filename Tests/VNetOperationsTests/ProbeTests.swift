import XCTest
import Glibc
import VNetIPAM
import VNetModel
import VNetSystem
@testable import VNetOperations

/// `Node.probe` with a fake pod-side transport: the hops, their order and targets, the overrides, the
/// skipped hops, the time bound and the lookup errors, without namespaces.
final class ProbeTests: XCTestCase {
    var dataDir = ""

    /// Answers from a table by address; optionally takes `delay` seconds per call, whatever the timeout.
    final class FakeTransport: PodPathProbe {
        var answers: [IPv4Address: ProbeAnswer] = [:]
        var delay = 0.0
        var timeouts: [Double] = []
        var asked: [IPv4Address] = []

        func answer(_ address: IPv4Address, _ timeout: Double) -> ProbeAnswer {
            asked.append(address)
            timeouts.append(timeout)
            if delay > 0 { MonotonicClock.sleep(milliseconds: Int(delay * 1000)) }
            return answers[address] ?? .failure(.noReply, milliseconds: timeout * 1000)
        }

        func ping(_ address: IPv4Address, timeout: Double) -> ProbeAnswer { answer(address, timeout) }
        func queryDNS(server: IPv4Address, question: DNSQuestion, timeout: Double) -> ProbeAnswer { answer(server, timeout) }
        func neighbour(_ address: IPv4Address) -> NeighbourEntry? { NeighbourEntry(state: .reachable, mac: "02:00:00:00:00:01") }
    }

    override func tearDown() {
        _ = try? FileManagerless.removeTree(dataDir)
    }

    private func node(probe: ProbeSettings, nameservers: [String]?) throws -> Node {
        let kernel = FakeKernel()
        kernel.aliveNamespaces = ["/ns/a"]
        let config = NodeConfig(network: "net", dns: nameservers.map { DNSSettings(nameservers: $0) }, probe: probe)
        let made = try StaticPoolNode(addresses: "10.240.1.10-10.240.1.20", gateway: "10.240.0.1", config: config, kernel: kernel)
        dataDir = made.dataDir
        let node = made.node
        _ = try node.attach(AttachRequest(key: AttachmentKey(containerID: "abcdef123456", ifname: "eth0"), netns: "/ns/a",
                                          pod: PodIdentity(namespace: "team", name: "web-0")))
        return node
    }

    private let peer = IPv4Address("192.168.1.10")!
    private let internet = IPv4Address("203.0.113.10")!

    func testEveryHopRunsInTrafficOrderAgainstItsTarget() throws {
        let node = try node(probe: ProbeSettings(vnetAddress: peer, internetAddress: internet), nameservers: ["192.168.1.10", "fd00::1"])
        let transport = FakeTransport()
        for address in ["10.240.0.1", "10.240.0.4", "192.168.1.10", "203.0.113.10"] {
            transport.answers[IPv4Address(address)!] = .reply(milliseconds: 0.3)
        }
        let report = try node.probe(ProbeRequest(reference: EndpointReference("team/web-0")), open: { _ in transport })
        XCTAssertEqual(report.hops.map(\.kind), [.gateway, .node, .vnetAddress, .dnsServer, .dnsServer, .internet])
        XCTAssertEqual(report.hops.map { $0.address?.description ?? "-" },
                       ["10.240.0.1", "10.240.0.4", "192.168.1.10", "192.168.1.10", "-", "203.0.113.10"])
        XCTAssertEqual(report.hops[4].outcome, .skipped(.notIPv4("fd00::1")))
        XCTAssertEqual(report.hops[0].neighbour?.state, .reachable)
        XCTAssertTrue(report.passed)
        XCTAssertEqual(report.verdict.text, "clear: 5 hops passed (1 skipped)")
        XCTAssertEqual(report.pod, "team/web-0")
        XCTAssertTrue(transport.timeouts.allSatisfy { $0 == ProbeSettings.defaultTimeout })
    }

    func testFlagsOverrideTheKeyAndHopsWithoutATargetAreSkippedNotFailed() throws {
        let node = try node(probe: ProbeSettings(), nameservers: nil)
        let transport = FakeTransport()
        transport.answers[IPv4Address("10.240.0.1")!] = .reply(milliseconds: 0.3)
        transport.answers[IPv4Address("10.240.0.4")!] = .reply(milliseconds: 0.3)
        var report = try node.probe(ProbeRequest(reference: EndpointReference("abcdef12")), open: { _ in transport })
        XCTAssertEqual(report.hops.filter { if case .skipped = $0.outcome { return true }; return false }.map(\.kind),
                       [.vnetAddress, .dnsServer, .internet])
        XCTAssertTrue(report.passed, "a skipped hop is no failure")

        report = try node.probe(ProbeRequest(reference: EndpointReference("web-0"), internetAddress: internet, timeoutSeconds: 0.2),
                                open: { _ in transport })
        XCTAssertEqual(report.hops.last?.address, internet)
        XCTAssertEqual(report.hops.last?.outcome, .fail(.noReply))
        XCTAssertEqual(transport.timeouts.last, 0.2)
        XCTAssertFalse(report.passed)
        XCTAssertTrue(report.verdict.text.hasPrefix("internet 203.0.113.10: "), report.verdict.text)
    }

    func testTheWholeProbeIsBoundedEvenWhenTheTransportOverstaysItsTimeout() throws {
        let node = try node(probe: ProbeSettings(vnetAddress: peer, internetAddress: internet, timeoutSeconds: 0.05),
                            nameservers: ["192.168.1.10"])
        let transport = FakeTransport()
        transport.delay = 0.5
        let started = MonotonicClock.seconds()
        let report = try node.probe(ProbeRequest(reference: EndpointReference("team/web-0")), open: { _ in transport })
        let elapsed = MonotonicClock.seconds() - started
        // Five hops of 0.05 s plus a second: the bound is 1.25 s; a hop that starts before it may overstay.
        XCTAssertLessThan(elapsed, 2.0)
        XCTAssertEqual(report.hops.last?.outcome, .skipped(.outOfTime))
        XCTAssertTrue(transport.timeouts.allSatisfy { $0 <= 0.05 })
    }

    func testAnUnknownPodOrAnUnenterableNamespaceIsAnErrorNotAReport() throws {
        let node = try node(probe: ProbeSettings(), nameservers: nil)
        XCTAssertThrowsError(try node.probe(ProbeRequest(reference: EndpointReference("team/none")), open: { _ in FakeTransport() })) { error in
            guard case .notFound = (error as? OperationError)?.kind else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("no attached pod"), "\(error)")
        }
        struct Gone: Error {}
        XCTAssertThrowsError(try node.probe(ProbeRequest(reference: EndpointReference("team/web-0")), open: { _ in throw Gone() })) { error in
            XCTAssertTrue("\(error)".contains("cannot probe from the pod's namespace /ns/a"), "\(error)")
        }
    }
}
