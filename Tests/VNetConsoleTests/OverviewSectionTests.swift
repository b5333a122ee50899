import XCTest
import VNetModel
@testable import VNetConsole

/// The overview's sections compute their values apart from drawing, so what each says is checked here
/// without a frame; the goldens check how it is drawn.
final class OverviewSectionTests: XCTestCase {
    private let snapshot = FakeSnapshots.snapshot()

    func testNodeGaugeSplitsFlaggedOutOfUsed() {
        var usage = snapshot.usage
        usage.used = 6
        usage.flagged = 1
        XCTAssertEqual(NodeGaugeSection(usage).parts.map(\.count), [5, 1, usage.coolingDown, usage.assignableNow])
        usage.flagged = 99
        let capped = NodeGaugeSection(usage)
        XCTAssertEqual(capped.parts.map(\.count).prefix(2), [0, 6], "flagged is a subset of used")
        XCTAssertFalse(capped.full)
        usage.used = usage.limits.maxPodsPerNode
        XCTAssertTrue(NodeGaugeSection(usage).full)
    }

    func testAVNetPoolShowsItsBlocksClaimedAndWarmTarget() {
        var s = snapshot
        s.blockPool = BlockPoolView(subnet: IPv4Prefix("10.240.0.0/16")!, blocks: [IPv4Prefix("10.240.1.0/28")!, IPv4Prefix("10.240.1.16/28")!],
                                    blockSize: 16, claimed: 32, warmTarget: 16)
        let line = PoolSection(s).text
        XCTAssertTrue(line.contains("2 blocks of 16 claimed from the VNet"), line)
        XCTAssertFalse(line.contains("capacity"), line)
        var frame = Frame(width: 120, height: 40)
        _ = OverviewScreen.render(ConsoleData(current: s, previous: nil), into: &frame, rect: Rect(x: 0, y: 0, width: 120, height: 40))
        XCTAssertTrue(frame.text.contains("(claimed 32, warm target 16)"), frame.text)
    }

    func testNATSummaryWithoutTableOrRates() {
        var s = snapshot
        guard case .present(_, let rates) = NATSummarySection(ConsoleData(current: s, previous: nil)).value else {
            return XCTFail("the fake node has vnet's table")
        }
        XCTAssertNil(rates, "no rates from one snapshot")
        guard case .present(_, let moving) = NATSummarySection(ConsoleData(current: s, previous: FakeSnapshots.previous)).value else {
            return XCTFail("the fake node has vnet's table")
        }
        XCTAssertNotNil(moving)
        s.nat.present = false
        guard case .absent = NATSummarySection(ConsoleData(current: s, previous: nil)).value else {
            return XCTFail("no table, no totals")
        }
    }

    func testPodsCountEachProblem() {
        let pods = PodsSection(snapshot)
        XCTAssertEqual(pods.text, "5 endpoints  3 ok  1 attaching  1 ns gone  IPAM-only 1")
        XCTAssertFalse(pods.allOK)
    }

    func testAlertsWorstFirstAndCutWithACount() {
        var s = snapshot
        s.alerts = (0..<10).map { Alert(severity: $0 == 7 ? .critical : .info, message: "alert \($0)") }
        let alerts = AlertsSection(s)
        XCTAssertEqual(alerts.items.first?.tag, "CRIT")
        XCTAssertEqual(alerts.items.first?.message, "alert 7")
        var frame = Frame(width: 80, height: 6)
        var pen = Pen(rect: Rect(x: 0, y: 0, width: 80, height: 5))
        alerts.draw(&pen, into: &frame)
        XCTAssertEqual(pen.y, 5, "title and four rows")
        XCTAssertEqual(frame.line(4).trimmingCharacters(in: .whitespaces), "\u{2026} 7 more")
    }

    func testBridgeMissingIsBad() {
        var s = snapshot
        s.bridgeLink = nil
        let bridge = BridgeSection(ConsoleData(current: s, previous: nil))
        XCTAssertEqual(bridge.text, "vnet0 missing")
        XCTAssertEqual(bridge.role, .bad)
    }
}
