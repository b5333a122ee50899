#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Enter on an event: the whole record (the table cuts the message), and for a failure the recovery step
/// of docs/troubleshooting.md for its code.
enum EventDetailScreen {
    static func render(_ feed: EventFeed, number: Int, into frame: inout Frame, rect: Rect) {
        var pen = Pen(rect: rect)
        guard let entry = feed.entry(number: number) else {
            frame.put("Event", x: pen.x, y: pen.y, role: .title, limit: pen.width)
            pen.y += 2
            pen.put("is no longer kept: newer events pushed it out of the console's last \(feed.capacity)", indent: 0, role: .bad, into: &frame)
            return
        }
        let e = entry.event
        let title = "\(e.verb) \(e.failed ? "failed" : "succeeded")" + (e.pod.map { " for \($0)" } ?? "")
        frame.put(title, x: pen.x, y: pen.y, role: e.failed ? .bad : .title, limit: pen.width - 9)
        frame.putRight("Esc back", right: rect.maxX - 1, y: pen.y, role: .dim)
        pen.y += 2
        let fields: [(String, String?)] = [
            ("time", ISO8601.format(e.at)),
            ("caller", e.caller),
            ("network", e.network),
            ("container", e.container),
            ("interface", e.ifname),
            ("result", e.failed ? (e.code.map { "failed, CNI error code \($0)" } ?? "failed") : "ok"),
            ("took", EventsScreen.duration(e.seconds)),
        ]
        for (label, value) in fields {
            guard let value else { continue }
            pen.field(label, value, into: &frame)
        }
        if let message = e.message {
            pen.y += 1
            pen.block(e.failed ? "error" : "result", message, role: e.failed ? .bad : .normal, into: &frame)
        }
        if let details = e.details {
            pen.block("details", details, role: .normal, into: &frame)
        }
        if let step = RecoveryGuide.step(for: e) {
            pen.y += 1
            pen.block("what to do", step, role: .good, into: &frame)
            pen.put("(docs/troubleshooting.md)", indent: 12, role: .dim, into: &frame)
        }
    }
}

extension Pen {
    /// A label and its value on one row.
    mutating func field(_ label: String, _ value: String, into frame: inout Frame) {
        guard y < maxY else { return }
        frame.put(label, x: x, y: y, role: .dim, limit: 11)
        frame.put(value, x: x + 12, y: y, role: .normal, limit: width - 12)
        y += 1
    }

    /// A label and a paragraph wrapped beside it, as many rows as it needs (and the area has).
    mutating func block(_ label: String, _ text: String, role: StyleRole, into frame: inout Frame) {
        guard y < maxY else { return }
        frame.put(label, x: x, y: y, role: .title, limit: 11)
        for line in TextWrap.lines(text, width: max(1, width - 12)) {
            guard y < maxY else { return }
            frame.put(line, x: x + 12, y: y, role: role, limit: width - 12)
            y += 1
        }
    }
}
