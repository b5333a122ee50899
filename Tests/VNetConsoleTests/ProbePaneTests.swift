import Dispatch
import XCTest
import VNetModel
@testable import VNetConsole

/// `t` in an endpoint's details: the probe runs off the main thread, the details say "probing..." and keep
/// answering keys (Esc), and the result shows as hops and a verdict.
final class ProbePaneTests: XCTestCase {
    /// A prober that waits for `release` (when given) and answers a fixed report for the key it is asked.
    final class FakeProber: EndpointProber, @unchecked Sendable {
        let release: DispatchSemaphore?
        let error: String?

        init(release: DispatchSemaphore? = nil, error: String? = nil) {
            self.release = release
            self.error = error
        }

        struct Failure: Error, CustomStringConvertible { var description: String }

        func probe(_ key: AttachmentKey) throws -> ProbeReport {
            release?.wait()
            if let error { throw Failure(description: error) }
            return ProbePaneTests.report(for: key)
        }
    }

    static func report(for key: AttachmentKey) -> ProbeReport {
        let moved = ProbeCounterMovement(snatPackets: 0, vethRxPackets: 1, vethTxPackets: 1)
        return ProbeReport(pod: "batch/job-old", key: key, podAddress: IPv4Address("10.240.0.15")!, hops: [
            ProbeHop(kind: .gateway, address: IPv4Address("10.240.0.1"), outcome: .pass, milliseconds: 0.21, moved: moved,
                     neighbour: NeighbourEntry(state: .reachable, mac: "12:34:56:78:9a:bc"), natTablePresent: true),
            ProbeHop(kind: .node, address: IPv4Address("10.240.0.4"), outcome: .pass, milliseconds: 0.05, moved: moved, natTablePresent: true),
            .skipped(.vnetAddress, .notConfigured(setting: "vnetAddress")),
            ProbeHop(kind: .dnsServer, address: IPv4Address("168.63.129.16"), outcome: .pass, milliseconds: 1.4, moved: moved,
                     natTablePresent: true),
            ProbeHop(kind: .internet, address: IPv4Address("203.0.113.10"), outcome: .fail(.noReply), milliseconds: 1000,
                     moved: ProbeCounterMovement(snatPackets: 1, vethRxPackets: 1, vethTxPackets: 0), natTablePresent: true),
        ])
    }

    private func controller(_ prober: FakeProber?) -> ConsoleController {
        let source = SequenceSource([FakeSnapshots.snapshot(at: FakeSnapshots.takenAt.addingTimeInterval(-2), scale: 0.9),
                                     FakeSnapshots.snapshot()])
        let controller = ConsoleController(source: source, actions: SpyActions(), prober: prober, now: { FakeSnapshots.now })
        controller.refresh()
        controller.refresh()
        return controller
    }

    /// Waits (bounded) until the background probe has ended and its result is in the pane.
    private func collect(_ c: ConsoleController) {
        let deadline = Date().addingTimeInterval(5)
        while !c.collectProbeResults() && Date() < deadline { usleep(5_000) }
    }

    func testTOutsideDetailsSaysWhereItWorks() {
        let c = controller(FakeProber())
        c.handle(.character("t"))
        XCTAssertNil(c.probe)
        XCTAssertTrue(c.state.status?.text.contains("Enter on an endpoint") ?? false)
    }

    func testTheProbeRunsInTheBackgroundAndEscStillWorks() throws {
        let release = DispatchSemaphore(value: 0)
        let c = controller(FakeProber(release: release))
        c.handle(.character("2"))
        c.handle(.enter)
        c.handle(.character("t"))
        XCTAssertTrue(c.probe?.isRunning ?? false, "handle returned while the probe is blocked: it runs elsewhere")
        XCTAssertTrue(c.render(size: TerminalSize(width: 80, height: 24)).text.contains("probing..."))
        XCTAssertNotNil(c.probeWakeDescriptor)
        c.handle(.escape)
        XCTAssertNil(c.state.topOverlay, "Esc closes the details while the probe runs")
        release.signal()
        collect(c)
        guard case .finished(let report, _)? = c.probe else { return XCTFail("\(String(describing: c.probe))") }
        XCTAssertEqual(report.verdict.text, "internet 203.0.113.10: SNAT rule matched, no reply")
        XCTAssertTrue(c.state.status?.text.contains("SNAT rule matched") ?? false)
    }

    func testAFailedProbeSaysWhy() {
        let c = controller(FakeProber(error: "cannot probe from the pod's namespace /x: gone"))
        c.handle(.character("2"))
        c.handle(.enter)
        c.handle(.character("t"))
        collect(c)
        XCTAssertTrue(c.render(size: TerminalSize(width: 80, height: 24)).text.contains("cannot probe: cannot probe from the pod's namespace"))
    }

    func testWithoutAProberTSaysItIsNotAvailable() {
        let c = controller(nil)
        c.handle(.character("2"))
        c.handle(.enter)
        c.handle(.character("t"))
        XCTAssertNil(c.probe)
        XCTAssertEqual(c.state.status?.text, "probing is not available here")
    }

    func testTheFinishedPaneGolden() {
        let c = controller(FakeProber())
        c.handle(.character("2"))
        c.handle(.enter)
        c.handle(.character("t"))
        collect(c)
        assertGolden(c.render(size: TerminalSize(width: 80, height: 24)).text, "detail-80x24.probe")
        assertGolden(c.render(size: TerminalSize(width: 200, height: 60)).text, "detail-200x60.probe")
    }
}
