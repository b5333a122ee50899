import VNetModel

/// The node's pods against maxPodsPerVNet. Other nodes' pods are not known here, which the second row says
/// so the bar is not read as the VNet's occupancy.
struct VNetGaugeSection: OverviewSection {
    let used: Int
    let limit: Int
    /// " 6/16000 <0.1%", after the bar.
    let numbers: String

    init(_ u: PoolUsage) {
        used = u.used
        limit = u.limits.maxPodsPerVNet
        numbers = " \(u.used)/\(limit) \(Format.percent(u.used, of: limit))"
    }

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        let g = frame.glyphs
        let gaugeWidth = max(10, pen.valueWidth - Frame.displayWidth(numbers))
        pen.label("VNet", into: &frame)
        Gauge(segments: [.init(count: used, role: .gaugeUsed, glyph: g.gaugeUsed)], total: limit,
              rest: .init(count: 0, role: .gaugeFree, glyph: g.gaugeFree))
            .render(into: &frame, x: pen.valueX, y: pen.y, width: gaugeWidth)
        pen.line(numbers, at: pen.valueX + gaugeWidth, into: &frame)
        pen.y += 1
        pen.line("this node's share of the VNet limit (other nodes not counted)", role: .dim, into: &frame)
        pen.y += 1
    }
}
