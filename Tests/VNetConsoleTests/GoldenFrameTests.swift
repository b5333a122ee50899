import XCTest
import VNetModel
@testable import VNetConsole

/// Every screen at 80x24 and some at 200x60, compared with golden text files. The fake node and the clock
/// are fixed, so any difference is a change in layout or content.
final class GoldenFrameTests: XCTestCase {
    private let small = TerminalSize(width: 80, height: 24)
    private let large = TerminalSize(width: 200, height: 60)

    private func frame(_ keys: [Key] = [], size: TerminalSize = TerminalSize(width: 80, height: 24), readOnly: Bool = false,
                       lock: Bool = false, glyphs: Glyphs = .unicode) -> Frame {
        let (controller, _, _) = makeController(readOnly: readOnly, lock: lock, glyphs: glyphs)
        for key in keys { controller.handle(key) }
        return controller.render(size: size)
    }

    func testOverview() {
        assertGolden(frame(size: small).text, "overview-80x24")
        assertGolden(frame(size: large).text, "overview-200x60")
    }

    func testOverviewRoles() {
        assertGolden(frame(size: small).roleText, "overview-80x24.roles")
    }

    func testOverviewASCII() {
        let f = frame(size: small, glyphs: .ascii)
        XCTAssertTrue(f.text.unicodeScalars.allSatisfy { $0.isASCII }, "ASCII glyphs must produce only ASCII")
        assertGolden(f.text, "overview-80x24.ascii")
    }

    func testLockedReadOnlyHeader() {
        let f = frame(size: small, readOnly: true, lock: true)
        XCTAssertTrue(f.line(0).contains("READ-ONLY"))
        XCTAssertTrue(f.line(1).contains("LOCKED pid 4242 add 4s"), f.line(1))
        let line = f.line(1)
        if let r = line.range(of: "LOCKED") {
            XCTAssertEqual(f[line.distance(from: line.startIndex, to: r.lowerBound), 1].role, .focus, "the lock stands out")
        }
        assertGolden(f.text, "overview-80x24.locked-readonly")
    }

    func testEndpointsSelectionRoles() {
        assertGolden(frame([.character("2"), .down, .down], size: small).roleText, "endpoints-80x24.roles")
    }

    func testEndpoints() {
        assertGolden(frame([.character("2")], size: small).text, "endpoints-80x24")
        assertGolden(frame([.character("2")], size: large).text, "endpoints-200x60")
    }

    func testLinks() {
        assertGolden(frame([.character("3")], size: small).text, "links-80x24")
        assertGolden(frame([.character("3")], size: large).text, "links-200x60")
    }

    func testNAT() {
        assertGolden(frame([.character("4")], size: small).text, "nat-80x24")
        assertGolden(frame([.character("4")], size: large).text, "nat-200x60")
    }

    func testLeaksWithMark() {
        assertGolden(frame([.character("5"), .character(" ")], size: small).text, "leaks-80x24.marked")
    }

    func testEndpointDetail() {
        assertGolden(frame([.character("2"), .enter], size: small).text, "detail-80x24")
        assertGolden(frame([.character("2"), .down, .enter], size: large).text, "detail-200x60.web-1")
    }

    func testHelpReadOnly() {
        assertGolden(frame([.character("?")], size: small, readOnly: true).text, "help-80x24.readonly")
    }

    func testDetachDialog() {
        assertGolden(frame([.character("2"), .down, .character("d")], size: small).text, "detach-dialog-80x24")
    }

    func testAttachForm() {
        let keys: [Key] = [.character("a")] + "/var/run/netns/x".unicodeScalars.map { .character($0) } + [.tab, .enter]
        assertGolden(frame(keys, size: small).text, "attach-form-80x24.error")
    }

    func testFilterTyping() {
        let keys: [Key] = [.character("2"), .character("/")] + "web".unicodeScalars.map { .character($0) }
        assertGolden(frame(keys, size: small).text, "endpoints-80x24.filter-web")
    }

    func testTooSmall() {
        assertGolden(frame(size: TerminalSize(width: 60, height: 20)).text, "too-small-60x20")
    }

    func testOnceText() {
        let text = OnceOutput.overviewText(FakeSnapshots.snapshot(), previous: FakeSnapshots.previous, width: 100,
                                           now: FakeSnapshots.now)
        XCTAssertFalse(text.contains("\u{1b}"), "no escape codes in --once output")
        XCTAssertTrue(text.unicodeScalars.allSatisfy { $0.isASCII })
        XCTAssertTrue(text.split(separator: "\n").allSatisfy { $0.count <= 100 })
        assertGolden(text, "once-100")
    }
}

/// The Events screen, an event's details, the overview's CNI line and trends.
final class EventsGoldenTests: XCTestCase {
    func testEventsScreenNewestFirstWithTheFailureMarked() {
        let (c, _, _) = makeController()
        c.handle(.character("7"))
        let f = c.render(size: TerminalSize(width: 100, height: 24))
        assertGolden(f.text, "events-100x24")
        assertGolden(f.roleText, "events-100x24.roles")
        let rows = (5..<11).map { f.line($0) }
        XCTAssertTrue(rows[0].contains("default/web-2"), "newest first: \(rows)")
        XCTAssertTrue(rows[1].contains("FAIL 100"), rows[1])
    }

    func testFilterKeepsOnlyFailures() {
        let (c, _, _) = makeController()
        for key: Key in [.character("7"), .character("/")] + "fail".unicodeScalars.map({ .character($0) }) + [.enter] { c.handle(key) }
        XCTAssertEqual(c.visibleIDs(.events).count, 1)
    }

    func testEnterShowsTheWholeErrorAndTheRecoveryStep() {
        let (c, _, _) = makeController()
        for key: Key in [.character("7"), .down, .enter] { c.handle(key) }
        let f = c.render(size: TerminalSize(width: 80, height: 24))
        assertGolden(f.text, "event-detail-80x24")
        XCTAssertTrue(f.text.contains("54 flagged or excluded"), "the whole message, wrapped")
        XCTAssertTrue(f.text.contains("vnetctl reclaim --all-leaked"), "the recovery step of code 100")
        c.handle(.escape)
        XCTAssertNil(c.state.topOverlay)
    }

    func testOverviewShowsTheLastFailureAndTheRates() {
        let (c, _, _) = makeController()
        let f = c.render(size: TerminalSize(width: 120, height: 40))
        assertGolden(f.text, "overview-120x40.events")
        XCTAssertTrue(f.text.contains("last failure"), f.text)
    }

    /// Forty refreshes over ten minutes with traffic that grows: the sparklines climb to the right.
    func testTrendsOverTenMinutes() {
        let times = (0..<40).map { FakeSnapshots.takenAt.addingTimeInterval(Double($0 - 39) * 15) }
        let source = SequenceSource(times.enumerated().map { i, t in
            FakeSnapshots.snapshot(at: t, scale: 1 + Double(i * i) / 40)
        })
        let c = ConsoleController(source: source, actions: nil, events: FakeEvents.source, now: { FakeSnapshots.now })
        for _ in times { c.refresh() }
        assertGolden(c.render(size: TerminalSize(width: 160, height: 40)).text, "overview-160x40.trends")
        c.glyphs = .ascii
        let ascii = c.render(size: TerminalSize(width: 160, height: 40)).text
        XCTAssertTrue(ascii.unicodeScalars.allSatisfy { $0.isASCII })
        assertGolden(ascii, "overview-160x40.trends.ascii")
    }
}
