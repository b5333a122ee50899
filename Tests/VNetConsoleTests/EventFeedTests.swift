import XCTest
import VNetModel
@testable import VNetConsole

/// The console's event feed, history ring and sparkline levels, and the recovery steps against the manual.
final class EventFeedTests: XCTestCase {
    func testFeedKeepsTheNewestAndFindsEntriesByNumber() {
        var feed = EventFeed(capacity: 3)
        feed.append(EventBatch(events: (0..<5).map { FakeEvents.event(Double(10 - $0), "ADD", pod: "p/\($0)") }, skippedLines: 2))
        XCTAssertEqual(feed.entries.map(\.event.pod), ["p/2", "p/3", "p/4"])
        XCTAssertEqual(feed.skippedLines, 2)
        feed.append(EventBatch(events: [FakeEvents.event(1, "DEL", pod: "p/5", failed: true, code: 11)]))
        XCTAssertEqual(feed.entries.count, 3)
        XCTAssertEqual(feed.entry(number: 5)?.event.pod, "p/5")
        XCTAssertNil(feed.entry(number: 2), "pushed out")
        XCTAssertEqual(feed.lastFailure?.number, 5)
    }

    func testActivityCountsOnlyCNICallsInTheWindow() {
        var feed = EventFeed()
        feed.append(EventBatch(events: FakeEvents.events))
        let activity = feed.activity(now: FakeSnapshots.now, window: 300)
        XCTAssertEqual(activity.add.count, 3, "web-0 is older than five minutes")
        XCTAssertEqual(activity.del.count, 1)
        XCTAssertEqual(activity.failed, 1)
        XCTAssertEqual(activity.add.median ?? 0, 0.015, accuracy: 1e-9)
    }

    func testRingKeepsItsCapacityOldestFirst() {
        var ring = Ring<Int>(capacity: 3)
        for i in 0..<7 { ring.append(i) }
        XCTAssertEqual(ring.elements, [4, 5, 6])
        XCTAssertEqual(ring.last, 6)
    }

    func testSparklineSlotsShowTheirPeakAndLeaveUnmeasuredSlotsBlank() {
        let series = TimeSeries(times: [15, 25, 85, 95], values: [1, 4, .nan, 2], end: 99)
        let levels = Sparkline(series: series, window: 100).levels(width: 10, steps: 8)
        XCTAssertEqual(levels.count, 10)
        XCTAssertEqual(levels[2], 7, "the slot's peak, scaled to the window's")
        XCTAssertNil(levels[8], "NaN is no measurement")
        XCTAssertEqual(levels[9], 4)
        XCTAssertNil(levels[0])
    }

    func testHistoryForgetsDetachedPods() {
        var history = NodeHistory(capacity: 4)
        let full = FakeSnapshots.snapshot()
        history.record(ConsoleData(current: full, previous: nil))
        XCTAssertEqual(history.pods.count, full.endpoints.count)
        var fewer = full
        fewer.endpoints.removeLast()
        for _ in 0..<6 { history.record(ConsoleData(current: fewer, previous: full)) }
        XCTAssertEqual(history.pods.count, full.endpoints.count - 1)
        XCTAssertEqual(history.node.count, 4, "bounded by the capacity")
    }

    /// Each recovery step is the "what to do" cell of its code's row in docs/troubleshooting.md.
    func testRecoveryStepsAreTheManualsWords() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/troubleshooting.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        var rows: [Int: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.count >= 4, let code = Int(cells[1]) { rows[code] = cells[3] }
        }
        for (code, step) in RecoveryGuide.byCode {
            XCTAssertEqual(rows[code], step, "code \(code)")
        }
        XCTAssertTrue(rows[106]?.hasPrefix(RecoveryGuide.vnetLimit) ?? false)
        XCTAssertEqual(Set(rows.keys).subtracting(RecoveryGuide.byCode.keys), [106], "every documented code has its step")
    }
}
