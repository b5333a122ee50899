#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Sparklines of the last 15 minutes: pool used, SNAT packets/s, bridge receive and transmit, ADD and DEL
/// rate and latency, two to a row, each with its latest value in words, so the trend still
/// reads in monochrome and ASCII.
struct TrendsSection: OverviewSection {
    struct Trend {
        var name: String
        var series: TimeSeries
        var format: (Float) -> String
    }

    /// Rows of two trends.
    let rows: [(Trend, Trend)]

    static let rowCount = 4

    init(_ history: NodeHistory, events: EventFeed?, now: Date) {
        func trend(_ name: String, _ value: (NodeHistory.Sample) -> Float, _ format: @escaping (Float) -> String) -> Trend {
            Trend(name: name, series: history.series(value, now: now), format: format)
        }
        let count: (Float) -> String = { Format.countRate(Double($0)) }
        let bytes: (Float) -> String = { Format.rate(Double($0)) }
        let perMinute: (Float) -> String = { $0 >= 10 ? "\(Int($0.rounded()))/min" : "\(Format.fixed1(Double($0)))/min" }
        let ms: (Float) -> String = { EventsScreen.duration(Double($0) / 1000) }
        var rows = [
            (trend("pool used", \.poolUsed, { "\(Int($0))" }), trend("SNAT pkts", \.snatPacketsPerSecond, count)),
            (trend("bridge rx", \.bridgeRxBytesPerSecond, bytes), trend("bridge tx", \.bridgeTxBytesPerSecond, bytes)),
        ]
        if let events {
            let add = events.callSeries("ADD", now: now), del = events.callSeries("DEL", now: now)
            rows.append((Trend(name: "ADD rate", series: add.rate, format: perMinute), Trend(name: "DEL rate", series: del.rate, format: perMinute)))
            rows.append((Trend(name: "ADD p50", series: add.latency, format: ms), Trend(name: "DEL p50", series: del.latency, format: ms)))
        }
        self.rows = rows
    }

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        pen.label("Trends", into: &frame)
        frame.put("15 min", x: pen.x, y: pen.y + 1, role: .dim, limit: Pen.labelWidth)
        let half = pen.valueWidth / 2
        for (left, right) in rows where pen.y < pen.maxY {
            draw(left, x: pen.valueX, width: half - 1, y: pen.y, into: &frame)
            draw(right, x: pen.valueX + half, width: pen.valueWidth - half, y: pen.y, into: &frame)
            pen.y += 1
        }
    }

    /// "name ▁▂▅█ latest": the name, the sparkline and the latest value in words.
    private func draw(_ trend: Trend, x: Int, width: Int, y: Int, into frame: inout Frame) {
        let nameWidth = 10, valueWidth = 9
        let sparkWidth = width - nameWidth - valueWidth - 1
        guard sparkWidth >= 8 else { return }
        frame.put(trend.name, x: x, y: y, role: .dim, limit: nameWidth - 1)
        Sparkline(series: trend.series, window: NodeHistory.window).render(into: &frame, x: x + nameWidth, y: y, width: sparkWidth)
        let latest = trend.series.latest.map(trend.format) ?? "-"
        frame.put(latest, x: x + nameWidth + sparkWidth + 1, y: y, role: .normal, limit: valueWidth)
    }
}
