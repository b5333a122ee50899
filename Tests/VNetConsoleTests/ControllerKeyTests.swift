import XCTest
import VNetModel
@testable import VNetConsole

/// The key state machine: screens, selection, filter, sort, marks, pause and interval.
final class ControllerKeyTests: XCTestCase {
    private func keys(_ c: ConsoleController, _ text: String) {
        for scalar in text.unicodeScalars { c.handle(.character(scalar)) }
    }

    func testScreensByDigitTabAndBackTab() {
        let (c, _, _) = makeController()
        XCTAssertEqual(c.state.screen, .overview)
        c.handle(.character("4"))
        XCTAssertEqual(c.state.screen, .nat)
        c.handle(.tab)
        XCTAssertEqual(c.state.screen, .leaks)
        c.handle(.tab)
        XCTAssertEqual(c.state.screen, .vnet)
        c.handle(.tab)
        XCTAssertEqual(c.state.screen, .events)
        c.handle(.tab)
        XCTAssertEqual(c.state.screen, .security)
        c.handle(.tab)
        XCTAssertEqual(c.state.screen, .overview, "Tab wraps around")
        c.handle(.backTab)
        XCTAssertEqual(c.state.screen, .security)
        c.handle(.character("9"))
        XCTAssertEqual(c.state.screen, .security, "a digit without a screen does nothing")
    }

    func testSelectionMovesAndClampsAndFollowsTheRow() {
        let (c, _, _) = makeController()
        c.handle(.character("2"))
        XCTAssertEqual(c.selectedID(), c.visibleIDs(.endpoints).first)
        c.handle(.character("j"))
        c.handle(.down)
        let third = c.visibleIDs(.endpoints)[2]
        XCTAssertEqual(c.selectedID(), third)
        c.handle(.end)
        XCTAssertEqual(c.selectedID(), c.visibleIDs(.endpoints).last)
        c.handle(.down)
        XCTAssertEqual(c.selectedID(), c.visibleIDs(.endpoints).last, "clamped at the bottom")
        c.handle(.home)
        c.handle(.up)
        XCTAssertEqual(c.selectedID(), c.visibleIDs(.endpoints).first, "clamped at the top")
        // Selection is by identity: re-sorting keeps the same pod selected.
        c.handle(.character("j"))
        let selected = c.selectedID()
        c.handle(.character("S"))
        XCTAssertEqual(c.selectedID(), selected)
        XCTAssertNotEqual(c.visibleIDs(.endpoints).firstIndex(of: selected!), 1)
    }

    func testFilterIsIncrementalAndEscClearsIt() {
        let (c, _, _) = makeController()
        c.handle(.character("2"))
        c.handle(.character("/"))
        XCTAssertTrue(c.state.editingFilter)
        keys(c, "WEB")
        XCTAssertEqual(c.visibleIDs(.endpoints).count, 2, "case-insensitive substring")
        c.handle(.backspace)
        c.handle(.backspace)
        XCTAssertEqual(c.state.list.filter, "W")
        keys(c, "eb-2")
        XCTAssertEqual(c.visibleIDs(.endpoints).count, 1)
        c.handle(.character("q"))
        XCTAssertFalse(c.shouldQuit, "q while typing a filter is text, not quit")
        XCTAssertEqual(c.visibleIDs(.endpoints).count, 0)
        c.handle(.backspace)
        c.handle(.enter)
        XCTAssertFalse(c.state.editingFilter)
        XCTAssertEqual(c.state.list.filter, "Web-2", "Enter keeps the filter")
        XCTAssertEqual(c.render(size: TerminalSize(width: 80, height: 24)).line(4).hasPrefix("default/web-2"), true)
        c.handle(.character("3"))
        XCTAssertEqual(c.visibleIDs(.links).count, 7, "filters are per screen")
        c.handle(.character("2"))
        c.handle(.escape)
        XCTAssertEqual(c.state.list.filter, "")
        XCTAssertEqual(c.visibleIDs(.endpoints).count, 5)

        c.handle(.character("/"))
        keys(c, "zzz")
        c.handle(.escape)
        XCTAssertFalse(c.state.editingFilter)
        XCTAssertEqual(c.state.list.filter, "", "Esc while typing clears")
    }

    func testFilterOnOverviewIsRefusedWithAMessage() {
        let (c, _, _) = makeController()
        c.handle(.character("/"))
        XCTAssertFalse(c.state.editingFilter)
        XCTAssertNotNil(c.state.status)
    }

    func testSortCyclesThroughSortableColumnsAndReverses() {
        let (c, _, _) = makeController()
        c.handle(.character("2"))
        XCTAssertEqual(c.state.list.sort, SortOrder(column: 0))
        let pods = { c.visibleIDs(.endpoints) }
        let byPod = pods()
        c.handle(.character("s"))
        XCTAssertEqual(c.state.list.sort, SortOrder(column: 1))
        let byAddress = pods()
        XCTAssertEqual(byAddress.first, FakeSnapshots.key(FakeSnapshots.pods[0]).description, "10.240.0.11 first")
        XCTAssertNotEqual(byPod, byAddress)
        c.handle(.character("S"))
        XCTAssertEqual(pods(), byAddress.reversed())
        let sortable = EndpointsScreen.columns.indices.filter { EndpointsScreen.columns[$0].sort != nil }
        for _ in 0..<(sortable.count - 1) { c.handle(.character("s")) }
        XCTAssertEqual(c.state.list.sort?.column, 0, "cycling wraps to the first sortable column")
        XCTAssertTrue(c.state.status?.text.hasPrefix("sorted by POD") ?? false)
    }

    func testRateColumnSortsBusiestLast() {
        let (c, _, _) = makeController()
        c.handle(.character("2"))
        while EndpointsScreen.columns[c.state.list.sort?.column ?? 0].title != "RX/s" { c.handle(.character("s")) }
        c.handle(.character("S"))
        XCTAssertEqual(c.visibleIDs(.endpoints).first, FakeSnapshots.key(FakeSnapshots.pods[2]).description, "coredns moves most")
    }

    func testMarksOnlyOnLeaksAndMoveDown() {
        let (c, _, _) = makeController()
        c.handle(.character("2"))
        c.handle(.character(" "))
        XCTAssertTrue(c.state.marks.isEmpty)
        c.handle(.character("5"))
        let ids = c.visibleIDs(.leaks)
        c.handle(.character(" "))
        XCTAssertEqual(c.state.marks, [ids[0]])
        XCTAssertEqual(c.selectedID(), ids[1], "space moves down like htop")
        c.handle(.up)
        c.handle(.character(" "))
        XCTAssertTrue(c.state.marks.isEmpty, "space again unmarks")
    }

    func testHelpEscAndQuit() {
        let (c, _, _) = makeController()
        c.handle(.function(1))
        XCTAssertEqual(c.state.topOverlay, .help)
        c.handle(.character("?"))
        XCTAssertNil(c.state.topOverlay, "? toggles")
        c.handle(.character("?"))
        c.handle(.escape)
        XCTAssertNil(c.state.topOverlay)
        c.handle(.character("2"))
        c.handle(.enter)
        guard case .detail? = c.state.topOverlay else { return XCTFail("Enter opens details") }
        c.handle(.character("?"))
        c.handle(.escape)
        guard case .detail? = c.state.topOverlay else { return XCTFail("Esc goes back one level") }
        c.handle(.escape)
        XCTAssertNil(c.state.topOverlay)
        c.handle(.function(10))
        XCTAssertTrue(c.shouldQuit)
    }

    func testEnterOnLinkOpensItsPodAndExplainsOrphans() {
        let (c, _, _) = makeController()
        c.handle(.character("3"))
        c.handle(.end)
        XCTAssertEqual(c.selectedID(), "vn0badc0ffee01")
        c.handle(.enter)
        XCTAssertNil(c.state.topOverlay)
        XCTAssertTrue(c.state.status?.text.contains("no endpoint") ?? false)
        c.handle(.home)
        c.handle(.down)
        c.handle(.down)
        c.handle(.enter)
        XCTAssertEqual(c.state.topOverlay, .detail(FakeSnapshots.key(FakeSnapshots.pods[0])))
    }

    func testPauseStopsRefreshAndIntervalSteps() {
        let (c, source, _) = makeController()
        XCTAssertEqual(c.state.interval, 2)
        c.handle(.character("+"))
        XCTAssertEqual(c.state.interval, 5)
        c.handle(.character("-"))
        c.handle(.character("-"))
        c.handle(.character("-"))
        c.handle(.character("-"))
        XCTAssertEqual(c.state.interval, 0.5)
        c.handle(.character("-"))
        XCTAssertEqual(c.state.interval, 0.5, "no step below the fastest")
        let later = FakeSnapshots.now.addingTimeInterval(10)
        XCTAssertTrue(c.refreshDue(at: later))
        c.handle(.character("p"))
        XCTAssertFalse(c.refreshDue(at: later))
        XCTAssertEqual(c.millisecondsUntilRefresh(at: later), -1, "paused: sleep until a key")
        XCTAssertTrue(c.render(size: TerminalSize(width: 80, height: 24)).line(1).contains("PAUSED"))
        c.handle(.character("p"))
        XCTAssertTrue(c.refreshDue(at: later))
        XCTAssertEqual(source.calls, 2)
    }

    func testEventRefreshIsRateLimited() {
        let (c, _, _) = makeController()
        let now = FakeSnapshots.now
        XCTAssertEqual(c.millisecondsUntilRefresh(at: now), 2000)
        c.noteEvent()
        XCTAssertEqual(c.millisecondsUntilRefresh(at: now), 250, "an event pulls the refresh in, not to zero")
        XCTAssertFalse(c.refreshDue(at: now.addingTimeInterval(0.1)))
        XCTAssertTrue(c.refreshDue(at: now.addingTimeInterval(0.3)))
    }

    func testCtrlLAsksForAFullRedraw() {
        let (c, _, _) = makeController()
        XCTAssertFalse(c.needsFullRedraw)
        c.handle(.control("l"))
        XCTAssertTrue(c.needsFullRedraw)
    }

    func testRefreshErrorKeepsDataAndMarksItStale() {
        let (c, source, _) = makeController()
        source.error = FakeError(description: "state lock busy")
        c.refresh()
        XCTAssertNotNil(c.data, "old data stays on screen")
        XCTAssertEqual(c.state.status?.kind, .error)
        XCTAssertEqual(c.state.status?.text, "refresh failed: state lock busy")
        let frame = c.render(size: TerminalSize(width: 80, height: 24))
        XCTAssertTrue(frame.line(1).contains("STALE"))
        XCTAssertTrue(frame.line(22).contains("refresh failed: state lock busy"))
        source.error = nil
        c.refresh()
        XCTAssertNil(c.lastError)
        XCTAssertFalse(c.render(size: TerminalSize(width: 80, height: 24)).line(1).contains("STALE"))
    }

    func testNoDataYetShowsTheError() {
        let source = SequenceSource([FakeSnapshots.snapshot()])
        source.error = FakeError(description: "no state directory /var/lib/vnet/vnet")
        let c = ConsoleController(source: source, actions: nil, now: { FakeSnapshots.now })
        c.refresh()
        let frame = c.render(size: TerminalSize(width: 80, height: 24))
        XCTAssertTrue(frame.text.contains("refresh failed: no state directory /var/lib/vnet/vnet"))
        c.handle(.character("2"))
        c.handle(.down)
        c.handle(.enter)
        XCTAssertNil(c.state.topOverlay, "no crash and no detail without data")
    }
}
