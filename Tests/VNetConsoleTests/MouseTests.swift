import XCTest
import VNetModel
@testable import VNetConsole

/// The mouse does what the keys do: tabs, rows, double click for details, the wheel; never in a dialog.
final class MouseTests: XCTestCase {
    private let size = TerminalSize(width: 120, height: 40)

    private func controller() -> ConsoleController {
        let (c, _, _) = makeController()
        _ = c.render(size: size)
        return c
    }

    /// The column in the middle of a tab's label, as drawn.
    private func column(of screen: ScreenID, in c: ConsoleController) -> Int {
        let line = c.render(size: size).line(2)
        guard let range = line.range(of: " \(screen.rawValue) \(screen.title)") else { return -1 }
        return line.distance(from: line.startIndex, to: range.lowerBound) + 2
    }

    func testAClickOnATabOpensItsScreen() {
        let c = controller()
        for screen in [ScreenID.events, .leaks, .endpoints, .overview] {
            c.handle(MouseEvent(.click, x: column(of: screen, in: c), y: 2))
            XCTAssertEqual(c.state.screen, screen)
        }
    }

    func testAClickSelectsTheRowUnderItAndADoubleClickOpensItsDetails() {
        let c = controller()
        c.handle(.character("2"))
        _ = c.render(size: size)
        let ids = c.visibleIDs(.endpoints)
        // Body from row 3: the table's header, then its rows.
        c.handle(MouseEvent(.click, x: 10, y: 6))
        XCTAssertEqual(c.selectedID(), ids[2])
        XCTAssertNil(c.state.topOverlay, "one click only selects")
        c.handle(MouseEvent(.doubleClick, x: 10, y: 5))
        XCTAssertEqual(c.selectedID(), ids[1])
        guard case .detail(let key)? = c.state.topOverlay else { return XCTFail("a double click opens the details") }
        XCTAssertEqual(key.description, ids[1])
        c.handle(MouseEvent(.click, x: 10, y: 30))
        XCTAssertEqual(c.selectedID(), ids[1], "below the rows: nothing")
    }

    func testTheWheelMovesTheSelection() {
        let c = controller()
        c.handle(.character("7"))
        _ = c.render(size: size)
        let ids = c.visibleIDs(.events)
        c.handle(MouseEvent(.wheelDown, x: 0, y: 10))
        XCTAssertEqual(c.selectedID(), ids[ConsoleController.wheelRows])
        c.handle(MouseEvent(.wheelUp, x: 0, y: 10))
        XCTAssertEqual(c.selectedID(), ids[0])
    }

    func testClicksNeverReachADialog() {
        let c = controller()
        c.handle(.character("2"))
        c.handle(.character("d"))
        guard case .confirm? = c.state.topOverlay else { return XCTFail("the detach dialog is open") }
        let before = c.state
        for y in 0..<size.height { c.handle(MouseEvent(.click, x: 40, y: y)) }
        c.handle(MouseEvent(.doubleClick, x: 40, y: 20))
        XCTAssertEqual(c.state, before)
    }
}
