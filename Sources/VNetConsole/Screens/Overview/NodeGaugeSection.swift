import VNetModel

/// The node's pods against maxPodsPerNode: a gauge of used, flagged, cooling and free addresses, with a
/// legend that counts each part (a thin part is easy to miss in the bar).
struct NodeGaugeSection: OverviewSection {
    /// One part of the bar and of the legend.
    struct Part {
        enum Kind { case used, flagged, cooling, free }

        var name: String
        var count: Int
        var kind: Kind
    }

    let parts: [Part]
    let limit: Int
    /// The pool holds fewer addresses than the limit allows: the bar cannot fill.
    let capacity: Int
    /// " 6/250 pods 2.4%", after the bar.
    let numbers: String
    let full: Bool
    /// A `vnet` pool: the legend says what is claimed and the warm target instead of the pool's size.
    let blocks: BlockPoolView?

    init(_ u: PoolUsage, blocks: BlockPoolView? = nil) {
        self.blocks = blocks
        limit = u.limits.maxPodsPerNode
        // Flagged addresses are held (a subset of used), so used is split to keep the bar's total honest.
        let flagged = min(u.flagged, u.used)
        parts = [Part(name: "used", count: u.used - flagged, kind: .used),
                 Part(name: "flagged", count: flagged, kind: .flagged),
                 Part(name: "cooling", count: u.coolingDown, kind: .cooling),
                 Part(name: "free", count: u.assignableNow, kind: .free)]
        capacity = u.capacity
        numbers = " \(u.used)/\(limit) pods \(Format.percent(u.used, of: limit))"
        full = u.used >= limit
    }

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        let g = frame.glyphs
        let gaugeWidth = max(10, pen.valueWidth - Frame.displayWidth(numbers))
        pen.label("Node", into: &frame)
        Gauge(segments: parts.map { .init(count: $0.count, role: Self.role($0.kind), glyph: Self.glyph($0.kind, g)) },
              total: limit, rest: .init(count: 0, role: .dim, glyph: g.gaugeOutside))
            .render(into: &frame, x: pen.valueX, y: pen.y, width: gaugeWidth)
        pen.line(numbers, role: full ? .bad : .normal, at: pen.valueX + gaugeWidth, into: &frame)
        pen.y += 1
        drawLegend(pen, into: &frame)
        pen.y += 1
    }

    /// "█ used 5  ▓ flagged 1 ...", then a note when the pool is smaller than the limit.
    private func drawLegend(_ pen: Pen, into frame: inout Frame) {
        let end = pen.valueX + pen.valueWidth
        var x = pen.valueX
        for part in parts {
            guard x < end else { break }
            let role = Self.role(part.kind)
            frame.put(Self.glyph(part.kind, frame.glyphs), x: x, y: pen.y, role: role)
            let textRole: StyleRole = part.kind == .flagged && part.count > 0 ? .bad : .normal
            x += 1 + frame.put(" \(part.name) \(part.count)  ", x: x + 1, y: pen.y, role: textRole, limit: end - x - 1)
        }
        if let blocks {
            frame.put("(claimed \(blocks.claimed), warm target \(blocks.warmTarget))", x: x, y: pen.y, role: .dim, limit: end - x)
        } else if capacity < limit {
            frame.put("(pool \(capacity) < limit \(limit))", x: x, y: pen.y, role: .dim, limit: end - x)
        }
    }

    private static func role(_ kind: Part.Kind) -> StyleRole {
        switch kind {
        case .used: return .gaugeUsed
        case .flagged: return .gaugeFlagged
        case .cooling: return .gaugeCooling
        case .free: return .gaugeFree
        }
    }

    private static func glyph(_ kind: Part.Kind, _ g: Glyphs) -> Unicode.Scalar {
        switch kind {
        case .used: return g.gaugeUsed
        case .flagged: return g.gaugeFlagged
        case .cooling: return g.gaugeCooling
        case .free: return g.gaugeFree
        }
    }
}
