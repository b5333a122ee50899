#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Screen 1: the node at a glance. Pool occupancy against the node and VNet limits, NAT totals and rates,
/// bridge health, endpoint and leak counts, and the alerts. Also what `--once` prints.
///
/// The screen is a list of sections (Screens/Overview/), each computing its values from the data and then
/// drawing them, as htop's meters do; this type only orders them and puts a blank row between groups.
enum OverviewScreen {
    /// Draws into `rect`; returns the number of rows used (so `--once` can trim). `vnet` is the registry's
    /// view when the node has a registry; `now` (the snapshot's time by default) ages a STALE view. `events`
    /// adds the CNI line, `history` the trends, which give way to the alerts on a short terminal.
    @discardableResult
    static func render(_ data: ConsoleData, vnet: VNetView? = nil, events: EventFeed? = nil, history: NodeHistory? = nil,
                       now: Date? = nil, into frame: inout Frame, rect: Rect) -> Int {
        let s = data.snapshot
        let now = now ?? s.takenAt
        var activity: [any OverviewSection] = [NATSummarySection(data), BridgeSection(data), PodsSection(s), LeaksSection(s)]
        if let events { activity.append(CNISection(events, now: now)) }
        let alerts = AlertsSection(s)
        let groups: [[any OverviewSection]] = [
            [PoolSection(s), NodeGaugeSection(s.usage, blocks: s.blockPool), VNetGaugeSection(s.usage, vnet: vnet, now: now)],
            activity,
        ]
        var pen = Pen(rect: rect)
        for (i, group) in groups.enumerated() {
            if i > 0 { pen.y += 1 }
            for section in group { section.draw(&pen, into: &frame) }
        }
        // Trends only where every alert still fits below them: an alert matters more than a graph.
        let alertRows = 1 + max(1, alerts.items.count)
        if let history, rect.maxY - pen.y >= 1 + TrendsSection.rowCount + 1 + alertRows {
            pen.y += 1
            TrendsSection(history, events: events, now: now).draw(&pen, into: &frame)
        }
        pen.y += 1
        alerts.draw(&pen, into: &frame)
        return pen.y - rect.y
    }
}
