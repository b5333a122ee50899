import XCTest
import VNetModel
@testable import VNetConsole

/// The VNet from the registry: the overview's gauge, screen 6 (goldens at 3 and 64 nodes), the last view
/// kept and marked STALE when the registry stops answering, and forget-node's refusals and its road.
final class VNetScreenTests: XCTestCase {
    private let small = TerminalSize(width: 80, height: 24)
    private let large = TerminalSize(width: 200, height: 60)

    func testOverviewWithThreeNodeVNet() {
        let c = makeVNetController()
        let text = c.render(size: small).text
        XCTAssertFalse(text.contains("this node's share"), "with a registry the gauge is the VNet's")
        assertGolden(text, "overview-80x24.vnet")
        assertGolden(c.render(size: large).text, "overview-200x60.vnet")
        assertGolden(c.render(size: small).roleText, "overview-80x24.vnet.roles")
    }

    func testGaugeSplitsThisNodeOthersReservedAndUnreserved() {
        let gauge = VNetGauge(FakeVNet.status(), thisNode: FakeVNet.thisNode)
        XCTAssertEqual(gauge.parts.map(\.count), [6, 200, 94, 15_700])
        XCTAssertEqual(gauge.parts.map(\.count).reduce(0, +), 16_000, "the parts add up to the limit")
        XCTAssertEqual(gauge.numbers, " 206/16000 1.3%")
        let unknown = VNetGauge(FakeVNet.status(), thisNode: "not-there")
        XCTAssertEqual(unknown.parts[0].count, 0)
        XCTAssertEqual(unknown.parts[1].count, 206)
    }

    func testVNetScreenWithThreeNodes() {
        let c = makeVNetController()
        c.handle(.character("6"))
        let f = c.render(size: small)
        XCTAssertTrue(f.text.contains("LOST"))
        assertGolden(f.text, "vnet-80x24")
        let wide = c.render(size: large).text
        XCTAssertTrue(wide.contains("overlapping-pools: pools of aks-nodepool1-1 and aks-nodepool1-2 overlap in 10.240.1.200-10.240.1.250"))
        XCTAssertTrue(wide.contains("https://10.0.0.7:2379  UNREACHABLE"))
        assertGolden(wide, "vnet-200x60")
        assertGolden(c.render(size: small).roleText, "vnet-80x24.roles")
    }

    func testVNetScreenASCII() {
        let c = makeVNetController()
        c.glyphs = .ascii
        c.handle(.character("6"))
        let f = c.render(size: small)
        XCTAssertTrue(f.text.unicodeScalars.allSatisfy(\.isASCII), "ASCII glyphs must produce only ASCII")
    }

    func testRegistryDownKeepsTheLastViewMarkedStale() {
        let clock = TestClock()
        let source = SequenceVNetSource([FakeVNet.status()])
        let c = makeVNetController(source: source, clock: clock)
        source.error = FakeError(description: "dial tcp 10.0.0.5:2379: connection refused")
        clock.now = FakeSnapshots.takenAt.addingTimeInterval(30)
        c.refresh()
        clock.now = FakeSnapshots.takenAt.addingTimeInterval(42)
        c.refresh()
        XCTAssertEqual(c.vnet?.status, FakeVNet.status(), "the last good view stays")
        XCTAssertEqual(c.vnet?.isStale, true)
        XCTAssertEqual(c.vnet?.failure?.since, FakeSnapshots.takenAt.addingTimeInterval(30), "failing since the first failure")
        c.handle(.character("6"))
        let text = c.render(size: small).text
        XCTAssertTrue(text.contains("STALE 42s: registry unreachable since 12:00:30Z: dial tcp"), text)
        XCTAssertTrue(text.contains("aks-nodepool1-2"), "never a blank screen")
        assertGolden(text, "vnet-80x24.stale")
        c.handle(.character("1"))
        XCTAssertTrue(c.render(size: small).text.contains("STALE 42s"), "the overview says so too")

        source.error = nil
        c.refresh()
        XCTAssertEqual(c.vnet?.isStale, false)
        XCTAssertNil(c.vnet?.failure)
    }

    func testBeforeTheFirstAnswerTheConsoleSaysWhy() {
        let source = SequenceVNetSource([FakeVNet.status()])
        source.error = FakeError(description: "no registry endpoints answered: https://10.0.0.5:2379 timed out")
        let c = makeVNetController(source: source)
        XCTAssertNil(c.vnet?.status)
        let overview = c.render(size: large).text
        XCTAssertTrue(overview.contains("this node only; the registry has not answered yet: no registry endpoints"), overview)
        c.handle(.character("6"))
        let screen = c.render(size: small).text
        XCTAssertTrue(screen.contains("the registry has not answered yet: no registry endpoints answered"), screen)

        let waiting = VNetView(thisNode: "n")
        XCTAssertEqual(waiting.notice(at: FakeSnapshots.now)?.text, "the registry has not answered yet: waiting for the first read")
    }

    func testWithoutARegistryTheOverviewStaysAsBefore() {
        let (c, _, _) = makeController()
        XCTAssertNil(c.vnet)
        XCTAssertTrue(c.render(size: small).text.contains("this node's share of the VNet limit"))
        c.handle(.character("6"))
        XCTAssertTrue(c.render(size: small).text.contains("this node has no VNet registry"))
    }

    func testSixtyFourNodesScroll() {
        let source = SequenceVNetSource([FakeVNet.large(64)])
        let c = makeVNetController(source: source)
        c.handle(.character("6"))
        let top = c.render(size: small)
        XCTAssertTrue(top.text.contains("1-10/64"), "the table says it shows part of 64 rows")
        assertGolden(top.text, "vnet-80x24.64-nodes")
        c.handle(.end)
        let bottom = c.render(size: small).text
        XCTAssertTrue(bottom.contains("-64/64"), bottom)
        assertGolden(bottom, "vnet-80x24.64-nodes.end")
    }

    /// The pure function a benchmark calls: a 64-node VNet renders into a frame of the asked size with its
    /// table (no timing here; the frame time is benchmarked apart).
    func testSixtyFourNodeFrameRenders() {
        let view = { () -> VNetView in
            var v = VNetView(thisNode: FakeVNet.thisNode)
            v.record(FakeVNet.large(64))
            return v
        }()
        let f = VNetScreen.frame(view, width: 200, height: 60, now: FakeSnapshots.now)
        XCTAssertEqual(f.width, 200)
        XCTAssertEqual(f.height, 60)
        XCTAssertTrue(f.text.contains("aks-pool0-09"))
        XCTAssertTrue(f.text.contains("limit 16000"))
        let sorted = VNetScreen.frame(view, width: 80, height: 24, now: FakeSnapshots.now, sortColumn: 2, ascending: false)
        XCTAssertTrue(sorted.line(5).contains("2"), "sorting by USED descending draws")
    }

    func testEventRefreshesDoNotRereadTheRegistry() {
        let clock = TestClock()
        let source = SequenceVNetSource([FakeVNet.status()])
        let c = makeVNetController(source: source, clock: clock)
        let calls = source.calls
        c.noteEvent()
        clock.now = clock.now.addingTimeInterval(0.3)
        c.refresh()
        XCTAssertEqual(source.calls, calls, "a link event on this node does not re-read the registry")
        clock.now = clock.now.addingTimeInterval(5)
        c.refresh()
        XCTAssertEqual(source.calls, calls + 1)
    }

    private func select(_ name: String, _ c: ConsoleController) {
        c.handle(.character("6"))
        c.state.list.selectedID = name
    }

    func testForgetRefusesAnAliveNode() {
        let spy = SpyVNetActions()
        let c = makeVNetController(vnetActions: spy)
        select("aks-nodepool1-1", c)
        c.handle(.character("f"))
        XCTAssertNil(c.state.topOverlay, "no dialog for an alive node")
        XCTAssertEqual(spy.planned, [], "the registry is not even asked")
        XCTAssertEqual(c.state.status?.kind, .error)
        XCTAssertEqual(c.state.status?.text, "refused: aks-nodepool1-1 is alive, last heartbeat 4s ago; only a LOST node can be forgotten")
    }

    func testForgetRefusesThisNodeAndAStaleView() {
        let spy = SpyVNetActions()
        let clock = TestClock()
        let source = SequenceVNetSource([FakeVNet.status()])
        let c = makeVNetController(source: source, vnetActions: spy, clock: clock)
        select(FakeVNet.thisNode, c)
        c.handle(.character("f"))
        XCTAssertTrue(c.state.status?.text.hasPrefix("refused: aks-nodepool1-0 is this node") ?? false)
        source.error = FakeError(description: "timeout")
        clock.now = FakeSnapshots.takenAt.addingTimeInterval(20)
        c.refresh()
        select("aks-nodepool1-2", c)
        c.handle(.character("f"))
        XCTAssertEqual(c.state.status?.text, "refused: the VNet view is STALE (20s): cannot tell whether aks-nodepool1-2 is still LOST")
        XCTAssertEqual(spy.planned, [])
    }

    func testForgetALostNodeTakesTheConfirmRoad() throws {
        let spy = SpyVNetActions()
        let c = makeVNetController(vnetActions: spy)
        select("aks-nodepool1-2", c)
        c.handle(.character("f"))
        guard case .confirm(let dialog)? = c.state.topOverlay else { return XCTFail("f on a LOST node opens the dialog") }
        XCTAssertEqual(dialog.plan.action, .forgetNode)
        XCTAssertEqual(dialog.focus, .cancel)
        XCTAssertEqual(spy.planned, ["aks-nodepool1-2"])
        assertGolden(c.render(size: small).text, "forget-dialog-80x24")
        c.handle(.enter)
        XCTAssertEqual(spy.performed, [], "Enter on Cancel performs nothing")
        c.handle(.character("f"))
        c.handle(.tab)
        c.handle(.enter)
        XCTAssertEqual(spy.performed.map(\.action), [.forgetNode], "the VNet's actions carry it out, not the node's")
        XCTAssertEqual(c.state.status?.text, "forgot aks-nodepool1-2")
    }

    func testForgetIsRefusedReadOnlyAndWithoutVNetActions() {
        let c = makeVNetController(readOnly: true)
        select("aks-nodepool1-2", c)
        c.handle(.character("f"))
        XCTAssertTrue(c.state.status?.text.hasPrefix("read-only:") ?? false)
        XCTAssertFalse(c.hints().contains { $0.key == "f" }, "read-only leaves Forget out of the hints")
        let without = makeVNetController(vnetActions: nil)
        select("aks-nodepool1-2", without)
        without.handle(.character("f"))
        XCTAssertNil(without.state.topOverlay)
        XCTAssertEqual(without.state.status?.kind, .error)
    }

    func testNodeTableSortsAndFilters() {
        let c = makeVNetController()
        c.handle(.character("6"))
        XCTAssertEqual(c.visibleIDs(.vnet), ["aks-nodepool1-0", "aks-nodepool1-1", "aks-nodepool1-2"])
        c.state.list.sort = SortOrder(column: 2, ascending: false)
        XCTAssertEqual(c.visibleIDs(.vnet), ["aks-nodepool1-1", "aks-nodepool1-2", "aks-nodepool1-0"], "by USED, most first")
        c.state.list.filter = "lost"
        XCTAssertEqual(c.visibleIDs(.vnet), ["aks-nodepool1-2"])
    }

    func testNodeBarCells() {
        func node(_ used: Int, _ reserved: Int) -> VNetNodeStatus {
            VNetNodeStatus(name: "n", reserved: reserved, record: nil, alive: true, heartbeatAge: nil)
                .with(used: used)
        }
        XCTAssertEqual(VNetNodesTable.barCells(node(0, 0), width: 10).used, 0)
        XCTAssertEqual(VNetNodesTable.barCells(node(1, 250), width: 10).used, 1, "any pod shows")
        XCTAssertEqual(VNetNodesTable.barCells(node(50, 100), width: 10).used, 5)
        XCTAssertEqual(VNetNodesTable.barCells(node(120, 100), width: 10).used, 10, "over its reservation: full")
    }
}

private extension VNetNodeStatus {
    func with(used: Int) -> VNetNodeStatus {
        var copy = self
        copy.record = NodeRecord(name: name, primaryAddress: nil, poolRanges: [], capacity: 250, used: used, leaks: 0,
                                 agentVersion: "", updatedAt: Date(timeIntervalSince1970: 0))
        return copy
    }
}
