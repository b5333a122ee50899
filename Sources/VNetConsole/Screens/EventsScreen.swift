#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Screen 7: what happened on the node, newest first: every CNI call but the successful STATUS polls, and
/// every operation, with its caller and result. Failures are marked; Enter shows the whole record and the
/// recovery step.
enum EventsScreen: ListScreen {
    typealias Row = EventFeed.Entry

    static func rows(_ feed: EventFeed) -> [Row] { feed.entries.reversed() }

    static var columns: [TableColumn<Row>] {
        [
            TableColumn("TIME", width: 9, text: { Format.clock($0.event.at) }, sort: { .number($0.event.at.timeIntervalSince1970) }),
            TableColumn("VERB", width: 11, text: { $0.event.verb }, sort: { .text($0.event.verb) }),
            TableColumn("RESULT", width: 8, text: result, role: { $0.event.failed ? .bad : .good },
                        sort: { .number($0.event.failed ? Double($0.event.code ?? 1) : 0) }),
            TableColumn("POD", width: 16, flexible: true, maxWidth: 40, text: { $0.event.pod ?? "-" }, sort: { .text($0.event.pod ?? "") }),
            TableColumn("CONTAINER", width: 12, priority: 2, text: { $0.event.container.map { String($0.prefix(12)) } ?? "-" },
                        sort: { .text($0.event.container ?? "") }),
            TableColumn("CALLER", width: 11, priority: 1, text: { $0.event.caller }, sort: { .text($0.event.caller) }),
            TableColumn("TOOK", width: 8, alignRight: true, text: { duration($0.event.seconds) },
                        sort: { .number($0.event.seconds) }),
            TableColumn("MESSAGE", width: 20, flexible: true, priority: 3, text: { $0.event.message ?? "" },
                        role: { $0.event.failed ? .bad : .dim }),
        ]
    }

    static func result(_ row: Row) -> String {
        guard row.event.failed else { return "ok" }
        return row.event.code.map { "FAIL \($0)" } ?? "FAIL"
    }

    static func id(_ row: Row) -> String { String(row.number) }

    static func searchText(_ row: Row) -> String {
        let e = row.event
        return "\(e.verb) \(e.caller) \(e.pod ?? "") \(e.container ?? "") \(e.ifname ?? "") \(result(row)) \(e.message ?? "")"
    }

    static var emptyMessage: String { "no events yet: CNI calls and operations on this node appear here as they happen" }

    /// By the row's number: comparing the identity text of up to 2,000 rows on every frame is what a frame
    /// should not do.
    static func index(of id: String, in rows: [Row]) -> Int? {
        guard let number = Int(id) else { return nil }
        return rows.firstIndex { $0.number == number }
    }

    /// Seconds as the table shows them: milliseconds below ten seconds.
    static func duration(_ seconds: Double) -> String {
        seconds < 10 ? "\(Int((seconds * 1000).rounded())) ms" : "\(Format.fixed1(seconds)) s"
    }

    /// The summary over the table: how many events are kept, how many failed, unreadable lines.
    static func renderSummary(_ feed: EventFeed, into frame: inout Frame, rect: Rect) {
        var text = "\(feed.entries.count) events kept (newest first)  \(feed.failureCount) failed"
        if feed.skippedLines > 0 { text += "  \(feed.skippedLines) unreadable lines skipped (a torn or corrupt log is restarted, never fatal)" }
        frame.put(text, x: rect.x + 1, y: rect.y, role: feed.skippedLines > 0 ? .warn : .dim, limit: rect.width - 2)
    }
}
