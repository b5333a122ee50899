#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The node's CNI traffic from its event log: how many ADDs and DELs ran in the last five minutes and how
/// long they took, and the last failure, pointing to the Events screen that explains it.
struct CNISection: OverviewSection {
    struct Failure: Hashable {
        var at: Date
        var summary: String
    }

    let activity: CNIActivity
    let lastFailure: Failure?

    init(_ feed: EventFeed, now: Date) {
        activity = feed.activity(now: now)
        lastFailure = feed.lastFailure.map { entry in
            let e = entry.event
            var summary = "\(e.verb)"
            if let pod = e.pod { summary += " \(pod)" } else if let container = e.container { summary += " \(container.prefix(12))" }
            summary += e.code.map { " code \($0)" } ?? ""
            if let message = e.message { summary += ": \(message)" }
            return Failure(at: e.at, summary: summary)
        }
    }

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        pen.label("CNI", into: &frame)
        let minutes = Int(activity.window / 60)
        if activity.add.count + activity.del.count == 0 {
            pen.line("no ADD or DEL in the last \(minutes) min", role: .dim, into: &frame)
        } else {
            let tail = activity.failed > 0 ? "(\(minutes) min, \(activity.failed) failed)" : "(last \(minutes) min)"
            let full = "ADD \(rate(activity.add)) \(latency(activity.add, slowest: true))  "
                + "DEL \(rate(activity.del)) \(latency(activity.del, slowest: true))  \(tail)"
            let short = "ADD \(rate(activity.add)) \(latency(activity.add, slowest: false))  "
                + "DEL \(rate(activity.del)) \(latency(activity.del, slowest: false))  \(tail)"
            pen.line(Frame.displayWidth(full) <= pen.valueWidth ? full : short, role: activity.failed > 0 ? .warn : .normal, into: &frame)
        }
        pen.y += 1
        if let lastFailure {
            let text = "last failure \(Format.clock(lastFailure.at)) \(lastFailure.summary)"
            let hint = " (7 Events)"
            let used = frame.put(text, x: pen.valueX, y: pen.y, role: .bad, limit: pen.valueWidth - hint.count)
            frame.put(hint, x: pen.valueX + used, y: pen.y, role: .dim)
        } else {
            pen.line("no failed call in the event log", role: .good, into: &frame)
        }
        pen.y += 1
    }

    private func rate(_ stats: CallStats) -> String {
        let perMinute = activity.perMinute(stats)
        return perMinute >= 10 ? "\(Int(perMinute.rounded()))/min" : "\(Format.fixed1(perMinute))/min"
    }

    /// "p50 12 ms max 40 ms", without the slowest call where the row is narrow.
    private func latency(_ stats: CallStats, slowest: Bool) -> String {
        guard let median = stats.median, let max = stats.slowest else { return "" }
        return "p50 \(EventsScreen.duration(median))" + (slowest ? " max \(EventsScreen.duration(max))" : "")
    }
}
