import VNetModel

/// The VNet's occupancy as the registry reports it, split the way an operator asks about it: this node's
/// pods, the other nodes' pods, room reserved but not used, and room nobody holds, against the VNet's
/// limit. Values first, then drawing (htop's MemoryMeter), so the parts are tested without a frame. The
/// overview and the VNet screen draw the same gauge.
struct VNetGauge {
    /// One part of the bar and of the legend.
    struct Part {
        enum Kind { case thisNode, otherNodes, reservedUnused, unreserved }

        var name: String
        var count: Int
        var kind: Kind
    }

    let parts: [Part]
    let limit: Int
    /// " 312/16000 2.0%", after the bar.
    let numbers: String
    /// Every pod the limit allows is in use.
    let full: Bool
    /// A node asked for room the VNet did not have.
    let pressureFrom: String?

    init(_ status: VNetStatus, thisNode: String) {
        limit = status.limit
        let used = status.used
        let mine = status.node(thisNode)?.used ?? 0
        // Reserved room is counted once, by the quota's total: what nodes hold beyond what they use.
        let idle = max(0, status.reserved - used)
        parts = [Part(name: "this node", count: mine, kind: .thisNode),
                 Part(name: "other", count: max(0, used - mine), kind: .otherNodes),
                 Part(name: "reserved idle", count: idle, kind: .reservedUnused),
                 Part(name: "unreserved", count: max(0, limit - used - idle), kind: .unreserved)]
        numbers = " \(used)/\(limit) \(Format.percent(used, of: limit))"
        full = used >= limit
        pressureFrom = status.pressureFrom
    }

    /// The bar and the numbers after it, on one row from `x`, `width` columns in all.
    func drawBar(into frame: inout Frame, x: Int, y: Int, width: Int) {
        let g = frame.glyphs
        let numbersWidth = Frame.displayWidth(numbers)
        let gaugeWidth = max(10, width - numbersWidth)
        // The unreserved part is the bar's rest, so the parts drawn are the three that are held.
        let held = parts.filter { $0.kind != .unreserved }
        Gauge(segments: held.map { .init(count: $0.count, role: Self.role($0.kind), glyph: Self.glyph($0.kind, g)) },
              total: limit, rest: .init(count: 0, role: Self.role(.unreserved), glyph: Self.glyph(.unreserved, g)))
            .render(into: &frame, x: x, y: y, width: gaugeWidth)
        frame.put(numbers, x: x + gaugeWidth, y: y, role: full ? .bad : .normal, limit: max(0, width - gaugeWidth))
    }

    /// "█ this node 6  ▚ other 306  ░ reserved idle 894  · unreserved 14800", cut at `width`; returns the
    /// columns used.
    @discardableResult
    func drawLegend(into frame: inout Frame, x: Int, y: Int, width: Int) -> Int {
        let end = x + width
        var cx = x
        for part in parts {
            guard cx < end - 1 else { break }
            frame.put(Self.glyph(part.kind, frame.glyphs), x: cx, y: y, role: Self.role(part.kind))
            let text = part.kind == .unreserved ? " \(part.name) \(part.count)" : " \(part.name) \(part.count)  "
            cx += 1 + frame.put(text, x: cx + 1, y: y, role: .normal, limit: end - cx - 1)
        }
        return cx - x
    }

    static func role(_ kind: Part.Kind) -> StyleRole {
        switch kind {
        case .thisNode: return .gaugeUsed
        case .otherNodes: return .gaugeOther
        case .reservedUnused: return .gaugeReserved
        case .unreserved: return .gaugeFree
        }
    }

    static func glyph(_ kind: Part.Kind, _ g: Glyphs) -> Unicode.Scalar {
        switch kind {
        case .thisNode: return g.gaugeUsed
        case .otherNodes: return g.gaugeOther
        case .reservedUnused: return g.gaugeReserved
        case .unreserved: return g.gaugeFree
        }
    }
}
