import XCTest
import VNetModel
@testable import VNetConsole

/// Runs `body` on the main actor. XCTest on Linux runs tests on the main thread but cannot discover
/// @MainActor test methods, so tests enter the actor here (assumeIsolated traps if that ever changes).
func onMain(_ body: @MainActor () throws -> Void) rethrows {
    try MainActor.assumeIsolated(body)
}

/// The run loop with the memory terminal: resize 80x24 -> 200x60 -> 80x24 -> too small, redraw only what
/// changed, Ctrl-L repaints everything, watched descriptors refresh, hang-up ends the loop.
final class AppLoopTests: XCTestCase {
    @MainActor
    private static func run(_ setup: (MemoryTerminal) -> Void) -> (MemoryTerminal, ConsoleController, SequenceSource) {
        let (controller, source, _) = makeController()
        let terminal = MemoryTerminal(size: TerminalSize(width: 80, height: 24))
        setup(terminal)
        ConsoleApp(controller: controller, terminal: terminal).run()
        return (terminal, controller, source)
    }

    func testResizeTo200x60AndBackRendersCleanly() {
        onMain {
            let (controller, _, _) = makeController()
            let terminal = MemoryTerminal(size: TerminalSize(width: 80, height: 24))
            let app = ConsoleApp(controller: controller, terminal: terminal)
            var screens: [Frame] = []
            for size in [TerminalSize(width: 200, height: 60), TerminalSize(width: 80, height: 24)] {
                terminal.resize(to: size)
                app.run()
                if let screen = terminal.screen { screens.append(screen) }
            }
            XCTAssertEqual(screens.map(\.width), [200, 80])
            XCTAssertEqual(screens[1], controller.render(size: TerminalSize(width: 80, height: 24)))
            for frame in screens {
                for y in 0..<frame.height {
                    XCTAssertLessThanOrEqual(Frame.displayWidth(frame.line(y)), frame.width, "no line wider than the frame")
                }
                XCTAssertTrue(frame.line(frame.height - 1).hasSuffix("Quit"), "hint bar on the last line at \(frame.width)x\(frame.height)")
                XCTAssertTrue(frame.line(2).hasPrefix(" 1 Overview"))
            }
            XCTAssertEqual(terminal.invalidations, 2, "each resize repaints in full")
        }
    }

    func testResizeRepaintsEverythingAndKeysRepaintOnlyChanges() {
        onMain {
            let (terminal, _, _) = Self.run { $0.press(.character("2")) }
            XCTAssertEqual(terminal.drawCount, 2)
            let (moved, _, _) = Self.run { $0.press(.character("2"), .down) }
            XCTAssertLessThan(moved.lastChangedCells, 200, "moving the selection redraws two rows, not the screen")
            XCTAssertGreaterThan(moved.lastChangedCells, 0)
            let (resized, _, _) = Self.run { $0.resize(to: TerminalSize(width: 200, height: 60)) }
            XCTAssertEqual(resized.lastChangedCells, 200 * 60, "after a resize every cell is sent")
            let (redrawn, _, _) = Self.run { $0.press(.control("l")) }
            XCTAssertEqual(redrawn.lastChangedCells, 80 * 24, "Ctrl-L repaints every cell")
            XCTAssertEqual(redrawn.invalidations, 1)
        }
    }

    func testTooSmallAndBack() {
        onMain {
            let (terminal, controller, _) = Self.run { $0.resize(to: TerminalSize(width: 79, height: 30)) }
            XCTAssertEqual(terminal.screen?.text.contains("terminal too small: need 80x24, have 79x30"), true)
            let tiny = controller.render(size: TerminalSize(width: 20, height: 5)).text
            XCTAssertTrue(tiny.contains("need 80x24"), tiny)
            XCTAssertTrue(tiny.contains("have 20x5"), tiny)
            XCTAssertFalse(controller.render(size: TerminalSize(width: 80, height: 24)).text.contains("too small"))
            let (_, quitter, _) = Self.run { t in
                t.resize(to: TerminalSize(width: 40, height: 10))
                t.press(.character("q"))
            }
            XCTAssertTrue(quitter.shouldQuit, "q still quits while the terminal is too small")
        }
    }

    func testQuitStopsBeforeLaterEvents() {
        onMain {
            let (terminal, controller, _) = Self.run { $0.press(.character("q"), .character("2")) }
            XCTAssertTrue(controller.shouldQuit)
            XCTAssertEqual(controller.state.screen, .overview)
            XCTAssertEqual(terminal.pending.count, 1)
        }
    }

    func testWatchedDescriptorDrainsAndRefreshes() {
        onMain {
            var now = FakeSnapshots.now
            var drained = 0
            let source = SequenceSource([FakeSnapshots.snapshot()])
            let controller = ConsoleController(source: source, actions: nil, now: { now })
            let terminal = MemoryTerminal(size: TerminalSize(width: 80, height: 24))
            let app = ConsoleApp(controller: controller, terminal: terminal)
            var steps = [0.1, 0.2]
            app.watch(fd: 7) {
                drained += 1
                now = now.addingTimeInterval(steps.removeFirst())
            }
            terminal.pending = [.wake(7), .wake(7)]
            app.run()
            XCTAssertEqual(terminal.watched, [7])
            XCTAssertEqual(drained, 2, "the owner's drain runs on every wake")
            XCTAssertEqual(source.calls, 2, "the first refresh, then one for the events, not one per event")
            XCTAssertEqual(terminal.requestedTimeouts, [2000, 150, 2000],
                           "idle sleeps until the next refresh; an event 100 ms after a refresh waits out the 250 ms floor")
        }
    }

    func testTimeoutTriggersRefreshOnlyWhenDue() {
        onMain {
            let (_, _, source) = Self.run { $0.pending = [.timeout, .timeout, .timeout] }
            XCTAssertEqual(source.calls, 2, "a fixed clock never reaches the next refresh: no extra snapshots")
        }
    }
}
