#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The pod's last 15 minutes on one row under the title: what it received and sent, and its SNAT rate,
/// each a sparkline with the latest value in words.
struct PodTrends {
    let items: [(name: String, series: TimeSeries?, format: (Float) -> String)]

    init(_ history: NodeHistory, address: IPv4Address, now: Date) {
        let bytes: (Float) -> String = { Format.rate(Double($0)) }
        items = [
            ("rx", history.podSeries(address, \.rxBytesPerSecond, now: now), bytes),
            ("tx", history.podSeries(address, \.txBytesPerSecond, now: now), bytes),
            ("SNAT", history.podSeries(address, \.snatPacketsPerSecond, now: now), { Format.countRate(Double($0)) }),
        ]
    }

    /// Draws on the pen's row and leaves the pen on the next.
    func draw(_ pen: inout Pen, into frame: inout Frame) {
        guard pen.y < pen.maxY else { return }
        let share = pen.width / items.count
        for (i, item) in items.enumerated() {
            let x = pen.x + i * share
            let nameWidth = item.name.count + 1, valueWidth = 9
            let sparkWidth = share - nameWidth - valueWidth - 2
            guard sparkWidth >= 6 else { continue }
            frame.put(item.name, x: x, y: pen.y, role: .dim)
            guard let series = item.series else { continue }
            Sparkline(series: series, window: NodeHistory.window).render(into: &frame, x: x + nameWidth, y: pen.y, width: sparkWidth)
            frame.put(series.latest.map(item.format) ?? "-", x: x + nameWidth + sparkWidth + 1, y: pen.y, role: .normal, limit: valueWidth)
        }
        pen.y += 1
    }
}
