#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The VNet row of the overview. With a registry it is the real VNet: every node's pods and reservations
/// against maxPodsPerVNet, this node's part apart, then the nodes in one line and how fresh the view is.
/// Without one (or before the registry first answers) only this node's pods are known, which the row
/// under the bar says so the bar is not read as the VNet's occupancy.
struct VNetGaugeSection: OverviewSection {
    enum Value {
        /// This node's pods against the limit; `note` says why no more is known.
        case local(used: Int, limit: Int, numbers: String, note: String, noteRole: StyleRole)
        /// The registry's view: the gauge, a line about the nodes, and the freshness notice if any.
        case vnet(VNetGauge, nodes: String, nodesRole: StyleRole, notice: (text: String, role: StyleRole)?)
    }

    let value: Value

    init(_ u: PoolUsage, vnet: VNetView?, now: Date) {
        let limit = u.limits.maxPodsPerVNet
        let numbers = " \(u.used)/\(limit) \(Format.percent(u.used, of: limit))"
        guard let vnet else {
            value = .local(used: u.used, limit: limit, numbers: numbers,
                           note: "this node's share of the VNet limit (other nodes not counted)", noteRole: .dim)
            return
        }
        guard let status = vnet.status else {
            let notice = vnet.notice(at: now) ?? ("the registry has not answered yet", .dim)
            value = .local(used: u.used, limit: limit, numbers: numbers, note: "this node only; " + notice.text,
                           noteRole: notice.role)
            return
        }
        let (nodes, role) = Self.nodesLine(status, thisNode: vnet.thisNode)
        value = .vnet(VNetGauge(status, thisNode: vnet.thisNode), nodes: nodes, nodesRole: role, notice: vnet.notice(at: now))
    }

    /// "3 nodes, 1 LOST  reserved 1200  1 conflict  pressure from aks-2  (screen 6)".
    static func nodesLine(_ status: VNetStatus, thisNode: String) -> (String, StyleRole) {
        let lost = status.nodes.filter(\.isLost).count
        var text = "\(status.nodes.count) node\(status.nodes.count == 1 ? "" : "s")"
        if lost > 0 { text += ", \(lost) LOST" }
        text += "  reserved \(status.reserved)"
        if !status.conflicts.isEmpty { text += "  \(status.conflicts.count) conflict\(status.conflicts.count == 1 ? "" : "s")" }
        if let pressure = status.pressureFrom { text += "  pressure from \(pressure)" }
        if status.node(thisNode) == nil { text += "  \(thisNode) not registered" }
        text += "  (screen \(ScreenID.vnet.rawValue))"
        let troubled = lost > 0 || !status.conflicts.isEmpty || status.pressureFrom != nil || status.node(thisNode) == nil
        return (text, troubled ? .warn : .normal)
    }

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        let g = frame.glyphs
        pen.label("VNet", into: &frame)
        switch value {
        case .local(let used, let limit, let numbers, let note, let noteRole):
            let gaugeWidth = max(10, pen.valueWidth - Frame.displayWidth(numbers))
            Gauge(segments: [.init(count: used, role: .gaugeUsed, glyph: g.gaugeUsed)], total: limit,
                  rest: .init(count: 0, role: .gaugeFree, glyph: g.gaugeFree))
                .render(into: &frame, x: pen.valueX, y: pen.y, width: gaugeWidth)
            pen.line(numbers, at: pen.valueX + gaugeWidth, into: &frame)
            pen.y += 1
            pen.line(note, role: noteRole, into: &frame)
            pen.y += 1
        case .vnet(let gauge, let nodes, let nodesRole, let notice):
            gauge.drawBar(into: &frame, x: pen.valueX, y: pen.y, width: pen.valueWidth)
            pen.y += 1
            gauge.drawLegend(into: &frame, x: pen.valueX, y: pen.y, width: pen.valueWidth)
            pen.y += 1
            pen.line(nodes, role: nodesRole, into: &frame)
            pen.y += 1
            if let notice {
                pen.line(notice.text, role: notice.role, into: &frame)
                pen.y += 1
            }
        }
    }
}
