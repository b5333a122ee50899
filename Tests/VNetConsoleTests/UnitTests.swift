import Foundation
import XCTest
import VNetModel
@testable import VNetConsole

/// Frames, diffs, formatting, rates, gauges and table layout.
final class FrameTests: XCTestCase {
    func testPutClipsWithAnEllipsisAndHandlesWideCharacters() {
        var f = Frame(width: 10, height: 2)
        XCTAssertEqual(f.put("abcdefghijkl", x: 0, y: 0, role: .normal), 10)
        XCTAssertEqual(f.line(0), "abcdefghi…")
        f.put("abc", x: 7, y: 1, role: .normal, limit: 3)
        XCTAssertEqual(f.line(1), "       abc", "exact fit: no ellipsis")
        var w = Frame(width: 6, height: 1)
        w.put("日本語", x: 0, y: 0, role: .normal)
        XCTAssertEqual(w.line(0), "日本語")
        w.put("x", x: 1, y: 0, role: .normal)
        XCTAssertEqual(w.line(0), " x本語", "overwriting half of a wide character blanks the other half")
        var edge = Frame(width: 3, height: 1)
        edge.put("ab日", x: 0, y: 0, role: .normal, limit: 3)
        XCTAssertEqual(edge.line(0), "ab…", "a wide character that does not fit is cut")
        var ascii = Frame(width: 10, height: 1, glyphs: .ascii)
        ascii.put("é\u{7}z", x: 0, y: 0, role: .normal)
        XCTAssertEqual(ascii.line(0), "??z", "non-ASCII and control characters never reach an ASCII terminal")
        var controls = Frame(width: 10, height: 1)
        controls.put("a\u{1b}[31mb", x: 0, y: 0, role: .normal)
        XCTAssertFalse(controls.text.contains("\u{1b}"), "escape sequences in data are neutralised")
        XCTAssertEqual(Frame.displayWidth("a日b"), 4)
    }

    func testTextTrimsTrailingBlanksAndRolesAreKept() {
        var f = Frame(width: 5, height: 2)
        f.put("hi", x: 1, y: 1, role: .bad)
        XCTAssertEqual(f.text, "\n hi")
        XCTAssertEqual(f.roleText, ".....\n.BB..")
        f.restyle(Rect(x: 0, y: 1, width: 5, height: 1), role: .selected)
        XCTAssertEqual(f[1, 1], Cell(scalar: "h", role: .selected))
    }

    func testDiffFindsRunsAndWholeWideCharacters() {
        var a = Frame(width: 10, height: 3)
        a.put("hello", x: 0, y: 0, role: .normal)
        var b = a
        b.put("J", x: 0, y: 0, role: .normal)
        b.put("yo", x: 3, y: 0, role: .normal)
        b.put("名", x: 4, y: 2, role: .normal)
        let diff = FrameDiff(from: a, to: b)
        XCTAssertEqual(diff.runs, [.init(y: 0, x: 0, count: 1), .init(y: 0, x: 3, count: 1), .init(y: 2, x: 4, count: 2)])
        XCTAssertEqual(FrameDiff(from: b, to: b).runs, [])
        XCTAssertEqual(FrameDiff(from: nil, to: b).changedCells, 30)
        XCTAssertEqual(FrameDiff(from: Frame(width: 9, height: 3), to: b).changedCells, 30, "a size change repaints all")
    }
}

final class FormatTests: XCTestCase {
    func testNumbers() {
        XCTAssertEqual(Format.bytes(UInt64(0)), "0B")
        XCTAssertEqual(Format.bytes(UInt64(1023)), "1023B")
        XCTAssertEqual(Format.bytes(UInt64(1536)), "1.5KB")
        XCTAssertEqual(Format.bytes(UInt64(12 * 1024 * 1024)), "12MB")
        XCTAssertEqual(Format.rate(nil), "-")
        XCTAssertEqual(Format.rate(2048), "2.0KB/s")
        XCTAssertEqual(Format.count(999), "999")
        XCTAssertEqual(Format.count(45_000), "45k")
        XCTAssertEqual(Format.countRate(2.5), "2.5/s")
        XCTAssertEqual(Format.percent(6, of: 250), "2.4%")
        XCTAssertEqual(Format.percent(6, of: 16000), "<0.1%")
        XCTAssertEqual(Format.percent(125, of: 250), "50%")
        XCTAssertEqual(Format.percent(1, of: 0), "-")
        XCTAssertEqual(Format.shortKey(AttachmentKey(containerID: String(repeating: "a", count: 64), ifname: "eth0")), "aaaaaaaaaaaa/eth0")
    }

    func testTimes() {
        XCTAssertEqual(Format.age(5), "5s")
        XCTAssertEqual(Format.age(184), "3m04s")
        XCTAssertEqual(Format.age(7500), "2h05m")
        XCTAssertEqual(Format.age(3 * 86400 + 4 * 3600), "3d04h")
        XCTAssertEqual(Format.age(941 * 86400 + 7200), "941d")
        XCTAssertEqual(Format.age(-1), "-")
        XCTAssertEqual(Format.clock(FakeSnapshots.takenAt), "12:00:00Z")
        XCTAssertEqual(Format.clock(Date(timeIntervalSince1970: 86399)), "23:59:59Z")
        XCTAssertEqual(Header.interval(0.5), "500ms")
        XCTAssertEqual(Header.interval(2), "2s")
        XCTAssertEqual(Header.interval(60), "1m")
    }
}

final class RatesTests: XCTestCase {
    func testRatesFromTwoSnapshots() throws {
        let data = ConsoleData(current: FakeSnapshots.snapshot(), previous: FakeSnapshots.previous)
        let web1 = FakeSnapshots.pods[0]
        let link = try XCTUnwrap(data.rates.link(FakeSnapshots.veth(web1)))
        let expected = web1.bytes - UInt64(Double(web1.bytes) * 0.9)
        XCTAssertEqual(link.rx.bytes, expected)
        XCTAssertEqual(link.rx.bytesPerSecond, Double(expected) / 2, accuracy: 0.001)
        XCTAssertEqual(data.rates.seconds, 2)
        let rule = try XCTUnwrap(data.snapshot.nat.rules.first)
        XCTAssertEqual(data.rates.rule(rule)?.packets, 4000)
        XCTAssertNotNil(data.rates.pod(IPv4Address(10, 240, 0, 11)))
        XCTAssertNil(ConsoleData(current: FakeSnapshots.snapshot(), previous: nil).rates.link(FakeSnapshots.veth(web1)))
    }

    func testNoRateAcrossACounterResetOrARecreatedLink() {
        var later = FakeSnapshots.snapshot()
        let earlier = FakeSnapshots.snapshot(at: FakeSnapshots.takenAt.addingTimeInterval(-2), scale: 2)
        XCTAssertNil(SnapshotRates(previous: earlier, current: later).link("vnet0"), "counters went down: no rate")
        later.links[1].index = 77
        later.bridgeLink?.index = 77
        XCTAssertNil(SnapshotRates(previous: FakeSnapshots.previous, current: later).link("vnet0"), "new ifindex: new counters")
        XCTAssertNil(SnapshotRates(previous: later, current: later).seconds, "same instant: no rates")
    }
}

final class WidgetTests: XCTestCase {
    func testGaugeCellsAreProportionalAndNeverHideASmallSegment() {
        let g = Gauge(segments: [.init(count: 5, role: .gaugeUsed, glyph: "#"), .init(count: 1, role: .gaugeFlagged, glyph: "!"),
                                 .init(count: 0, role: .gaugeCooling, glyph: "~")],
                      total: 16000, rest: .init(count: 0, role: .gaugeFree, glyph: "."))
        XCTAssertEqual(g.cells(width: 50), [1, 1, 0])
        let half = Gauge(segments: [.init(count: 125, role: .gaugeUsed, glyph: "#"), .init(count: 125, role: .gaugeFree, glyph: ".")],
                         total: 250, rest: .init(count: 0, role: .dim, glyph: " "))
        XCTAssertEqual(half.cells(width: 51).reduce(0, +), 51)
        let full = Gauge(segments: [.init(count: 300, role: .gaugeUsed, glyph: "#")], total: 250, rest: .init(count: 0, role: .dim, glyph: " "))
        XCTAssertEqual(full.cells(width: 20), [20], "over the limit never overflows the bar")
        var f = Frame(width: 12, height: 1, glyphs: .ascii)
        half.render(into: &f, x: 0, y: 0, width: 12)
        XCTAssertEqual(f.line(0), "[#####.....]")
    }

    func testTableLayoutDropsLeastImportantColumnsFirst() {
        let columns: [TableColumn<Int>] = [
            TableColumn("A", width: 10, flexible: true, text: { "\($0)" }),
            TableColumn("B", width: 10, priority: 2, text: { "\($0)" }),
            TableColumn("C", width: 10, priority: 1, text: { "\($0)" }),
        ]
        XCTAssertEqual(TableLayout(columns: columns, width: 40), TableLayout(columns: columns, width: 40))
        XCTAssertEqual(TableLayout(columns: columns, width: 40).widths, [18, 10, 10])
        XCTAssertEqual(TableLayout(columns: columns, width: 25).columns, [0, 2])
        XCTAssertEqual(TableLayout(columns: columns, width: 25).widths, [14, 10])
        XCTAssertEqual(TableLayout(columns: columns, width: 5).columns, [0])
        var capped = columns
        capped[0].maxWidth = 12
        XCTAssertEqual(TableLayout(columns: capped, width: 60).widths, [12, 10, 10], "a capped column leaves the rest blank")
        XCTAssertEqual(TableView<Int>.scrolledTop(top: 0, selected: 30, count: 100, height: 10), 21)
        XCTAssertEqual(TableView<Int>.scrolledTop(top: 50, selected: 30, count: 100, height: 10), 30)
        XCTAssertEqual(TableView<Int>.scrolledTop(top: 95, selected: nil, count: 100, height: 10), 90)
    }

    func testHintBarAlwaysKeepsTheLastItem() {
        let bar = HintBar(items: [("?", "Help"), ("/", "Filter"), ("s", "Sort"), ("q", "Quit")])
        XCTAssertEqual(bar.fitting(26).map(\.label), ["Help", "Filter", "Sort", "Quit"])
        XCTAssertEqual(bar.fitting(20).map(\.label), ["Help", "Filter", "Quit"])
        XCTAssertEqual(bar.fitting(12).map(\.label), ["Help", "Quit"])
        XCTAssertEqual(bar.fitting(3).map(\.label), ["Quit"])
    }
}

final class OnceOutputTests: XCTestCase {
    func testJSONIsSortedWithISODatesAndRoundTrips() throws {
        let snapshot = FakeSnapshots.snapshot(lock: true)
        let json = try OnceOutput.json(snapshot)
        XCTAssertTrue(json.contains("\"takenAt\" : \"2024-05-01T12:00:00Z\""), String(json.prefix(400)))
        XCTAssertTrue(json.hasSuffix("}\n"))
        let keys = json.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        XCTAssertEqual(keys, keys.sorted(), "top-level keys are sorted")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        XCTAssertEqual(try decoder.decode(NodeSnapshot.self, from: Data(json.utf8)), snapshot)
        XCTAssertEqual(try OnceOutput.json(snapshot), json, "stable output")
    }

    func testTextFitsAnyWidth() {
        for width in [40, 80, 132] {
            let text = OnceOutput.overviewText(FakeSnapshots.snapshot(), width: width, now: FakeSnapshots.now)
            XCTAssertTrue(text.split(separator: "\n").allSatisfy { Frame.displayWidth($0) <= width }, "width \(width)")
            XCTAssertTrue(text.contains("rates after the next refresh"), "without a previous snapshot there are no rates")
            XCTAssertTrue(text.contains("Alerts"))
        }
    }
}
