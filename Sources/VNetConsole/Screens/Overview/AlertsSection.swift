import VNetModel

/// The alerts, worst first, as many as fit; the last row then says how many more there are, so a cut list
/// is never mistaken for a whole one.
struct AlertsSection: OverviewSection {
    struct Item {
        var tag: String
        var role: StyleRole
        var message: String
    }

    let items: [Item]

    init(_ s: NodeSnapshot) {
        items = s.alerts.sorted { $0.severity > $1.severity }.map { alert in
            switch alert.severity {
            case .critical: return Item(tag: "CRIT", role: .bad, message: alert.message)
            case .warning: return Item(tag: "WARN", role: .warn, message: alert.message)
            case .info: return Item(tag: "info", role: .normal, message: alert.message)
            }
        }
    }

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        frame.put("Alerts", x: pen.x, y: pen.y, role: .title)
        pen.y += 1
        let indent = pen.x + 2
        if items.isEmpty {
            pen.line("none", role: .good, at: indent, into: &frame)
            pen.y += 1
        }
        for (i, item) in items.enumerated() where pen.y < pen.maxY {
            if pen.y == pen.maxY - 1, i < items.count - 1 {
                pen.line("\(frame.glyphs.ellipsis) \(items.count - i) more", role: .dim, at: indent, into: &frame)
                pen.y += 1
                break
            }
            frame.put(item.tag, x: indent, y: pen.y, role: item.role)
            frame.put(item.message, x: pen.x + 7, y: pen.y, role: .normal, limit: pen.width - 7)
            pen.y += 1
        }
    }
}
