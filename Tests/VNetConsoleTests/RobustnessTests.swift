import XCTest
import VNetModel
@testable import VNetConsole

/// Every screen and overlay at several sizes, with an empty node and with hostile data (very long names,
/// wide characters, escape sequences): no crash, nothing outside the frame, no escape byte in a cell.
final class RobustnessTests: XCTestCase {
    private static let sizes = [TerminalSize(width: 80, height: 24), TerminalSize(width: 81, height: 25),
                                TerminalSize(width: 133, height: 41), TerminalSize(width: 200, height: 60),
                                TerminalSize(width: 79, height: 24), TerminalSize(width: 10, height: 3), TerminalSize(width: 0, height: 0)]
    private static let keySequences: [[Key]] = [
        [], [.character("2")], [.character("3")], [.character("4")], [.character("5")], [.character("?")],
        [.character("2"), .enter], [.character("2"), .character("d")], [.character("a")], [.character("5"), .character("r")],
        [.character("2"), .character("/"), .character("x")],
    ]

    private func check(_ snapshot: NodeSnapshot, file: StaticString = #filePath, line: UInt = #line) {
        for keys in Self.keySequences {
            let c = ConsoleController(source: FixedSnapshotSource(snapshot), actions: SpyActions(), now: { FakeSnapshots.now })
            c.refresh()
            c.refresh()
            for key in keys { c.handle(key) }
            for size in Self.sizes {
                let frame = c.render(size: size)
                XCTAssertEqual(frame.cells.count, max(0, size.width) * max(0, size.height), file: file, line: line)
                for y in 0..<frame.height {
                    XCTAssertLessThanOrEqual(Frame.displayWidth(frame.line(y)), frame.width, "\(keys) \(size) line \(y)", file: file, line: line)
                }
                XCTAssertFalse(frame.cells.contains { $0.scalar.value < 0x20 && !$0.isContinuation }, "control character in \(keys) \(size)",
                               file: file, line: line)
            }
        }
    }

    func testEmptyNode() {
        let empty = NodeSnapshot(
            takenAt: FakeSnapshots.takenAt, node: "", network: "", bridge: "vnet0", bridgeLink: nil, primaryAddress: nil,
            source: PoolSourceInfo(kind: "static", fetchedAt: nil, servedFromCache: false),
            usage: PoolUsage(capacity: 0, used: 0, coolingDown: 0, free: 0, flagged: 0, limits: Limits(maxPodsPerNode: 0, maxPodsPerVNet: 0)),
            subnet: nil, gateway: nil, endpoints: [], plainLeases: [], links: [], nat: .absent, leaks: [], lockHolder: nil,
            alerts: [], stateGeneration: 0)
        check(empty)
        let text = OnceOutput.overviewText(empty, width: 80, now: FakeSnapshots.now)
        XCTAssertTrue(text.contains("absent"))
        XCTAssertTrue(text.contains("vnet0 missing"))
    }

    func testHostileNames() {
        var s = FakeSnapshots.snapshot(lock: true)
        let evil = "ns\u{1b}[2J\u{7}/" + String(repeating: "名前🚀", count: 60) + "\u{301}"
        s.node = String(repeating: "n", count: 300)
        s.endpoints[0].pod = PodIdentity(namespace: evil, name: evil)
        s.endpoints[1].netns = String(repeating: "/x", count: 200)
        s.links[0].name = "\u{1b}]0;pwned\u{7}"
        s.nat.rules[0].comment = String(repeating: "é", count: 500)
        s.alerts = (0..<50).map { Alert(severity: .critical, message: "alert \($0) " + evil) }
        s.source.error = evil
        check(s)
    }

    func testOverfullPool() {
        var s = FakeSnapshots.snapshot()
        s.usage = PoolUsage(capacity: 10, used: 300, coolingDown: 50, free: 0, flagged: 400, limits: Limits())
        check(s)
        let frame = ConsoleController(source: FixedSnapshotSource(s), actions: nil, now: { FakeSnapshots.now })
        frame.refresh()
        XCTAssertTrue(frame.render(size: TerminalSize(width: 80, height: 24)).line(4).contains("300/250 pods"))
    }
}
