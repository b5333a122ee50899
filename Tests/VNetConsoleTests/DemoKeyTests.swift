import XCTest
import VNetModel
@testable import VNetConsole

/// The demo's own key and hint line: `B` breaks a pod through `DemoActions` and says so on the status line;
/// outside the demo the key does nothing and neither help, the hint bar nor the overview mention the demo.
final class DemoKeyTests: XCTestCase {
    private let hint = "Demo: 5 Leaks: a pod to reclaim (r); 7 Events: a failed ADD; B: break a pod"

    func testBreakKeyAsksTheDemoAndShowsTheResult() {
        let demo = SpyDemo()
        let (c, _, _) = makeController(demo: demo)
        c.handle(.character("B"))
        XCTAssertEqual(demo.breaks, 1)
        XCTAssertEqual(c.state.status?.text, "broke web/web-1")
        XCTAssertEqual(c.state.status?.kind, .success)
        XCTAssertTrue(c.hints().contains { $0.key == "B" && $0.label == "Break" }, "offered on the overview")
        c.handle(.character("5"))
        XCTAssertTrue(c.hints().contains { $0.key == "B" }, "offered on the Leaks screen")
        c.handle(.character("2"))
        XCTAssertFalse(c.hints().contains { $0.key == "B" }, "the Endpoints bar has no room to spare")
    }

    func testBreakFailureIsAnErrorOnTheStatusLine() {
        let demo = SpyDemo()
        demo.error = FakeError(description: "no healthy demo pod is left to break")
        let (c, _, _) = makeController(demo: demo)
        c.handle(.character("B"))
        XCTAssertEqual(c.state.status?.text, "break failed: no healthy demo pod is left to break")
        XCTAssertEqual(c.state.status?.kind, .error)
    }

    func testReadOnlyDemoRefusesToBreak() {
        let demo = SpyDemo()
        let (c, _, _) = makeController(readOnly: true, demo: demo)
        c.handle(.character("B"))
        XCTAssertEqual(demo.breaks, 0)
        XCTAssertTrue(c.state.status?.text.hasPrefix("read-only:") ?? false)
    }

    func testOutsideTheDemoTheKeyDoesNotExist() {
        let (c, _, _) = makeController()
        let before = c.state
        c.handle(.character("B"))
        XCTAssertEqual(c.state, before, "B does nothing outside the demo")
        XCTAssertFalse(c.hints().contains { $0.key == "B" })
        c.handle(.character("?"))
        let help = c.render(size: TerminalSize(width: 120, height: 40)).text
        XCTAssertFalse(help.contains("demo"), help)

        let (d, _, _) = makeController(demo: SpyDemo())
        d.handle(.character("?"))
        XCTAssertTrue(d.render(size: TerminalSize(width: 120, height: 40)).text.contains("demo: break a healthy pod"))
    }

    func testHintLineOpensTheOverviewOnlyWhenConfigured() {
        let size = TerminalSize(width: 100, height: 30)
        let (plain, _, _) = makeController()
        let (demo, _, _) = makeController(demo: SpyDemo(), demoHint: hint)
        let plainRows = plain.render(size: size).text.split(separator: "\n", omittingEmptySubsequences: false)
        let demoRows = demo.render(size: size).text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(String(demoRows[3]).trimmingCharacters(in: .whitespaces), hint, "first row of the overview")
        XCTAssertEqual(demoRows[4], plainRows[3], "the overview moves down one row, unchanged")
        XCTAssertFalse(plainRows.contains { $0.contains("Demo:") })
        demo.handle(.character("2"))
        XCTAssertFalse(demo.render(size: size).text.contains("Demo:"), "the overview only")
    }

    func testDemoOverviewGolden() {
        let (c, _, _) = makeController(demo: SpyDemo(), demoHint: hint)
        assertGolden(c.render(size: TerminalSize(width: 80, height: 24)).text, "overview-80x24.demo")
    }
}
