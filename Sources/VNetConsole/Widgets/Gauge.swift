/// A horizontal bar split into coloured segments (used, flagged, cooling, free...), each with its own
/// glyph so the parts stay distinguishable in monochrome and in goldens.
struct Gauge {
    struct Segment {
        var count: Int
        var role: StyleRole
        var glyph: Unicode.Scalar
    }

    var segments: [Segment]
    /// What the full bar stands for; the part not covered by segments is drawn as `rest`.
    var total: Int
    var rest: Segment

    /// Cells per segment for `width` cells: proportional, largest remainders first, and at least one cell
    /// for any non-zero segment so a single flagged address is never invisible.
    func cells(width: Int) -> [Int] {
        guard width > 0, total > 0 else { return segments.map { _ in 0 } }
        let counts = segments.map { max(0, $0.count) }
        var cells = counts.map { $0 * width / total }
        for i in counts.indices where counts[i] > 0 && cells[i] == 0 { cells[i] = 1 }
        var used = cells.reduce(0, +)
        let covered = min(total, counts.reduce(0, +))
        let target = min(width, Int((Double(covered) * Double(width) / Double(total)).rounded()))
        let order = counts.indices.sorted {
            (counts[$0] * width) % total > (counts[$1] * width) % total
        }
        var k = 0
        while used < target, k < order.count {
            if counts[order[k]] > 0 { cells[order[k]] += 1; used += 1 }
            k += 1
        }
        while used > width, let i = cells.indices.max(by: { cells[$0] < cells[$1] }), cells[i] > 1 {
            cells[i] -= 1
            used -= 1
        }
        return cells
    }

    func render(into frame: inout Frame, x: Int, y: Int, width: Int) {
        guard width >= 3 else { return }
        frame.put("[", x: x, y: y, role: .border)
        frame.put("]", x: x + width - 1, y: y, role: .border)
        let inner = width - 2
        var cx = x + 1
        for (segment, n) in zip(segments, cells(width: inner)) {
            for _ in 0..<n where cx < x + 1 + inner {
                frame.put(segment.glyph, x: cx, y: y, role: segment.role)
                cx += 1
            }
        }
        while cx < x + 1 + inner {
            frame.put(rest.glyph, x: cx, y: y, role: rest.role)
            cx += 1
        }
    }
}
