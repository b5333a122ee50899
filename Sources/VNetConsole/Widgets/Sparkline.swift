/// A series drawn as one character per time slot: the history's window is cut into `width` equal slots,
/// each showing the highest value measured in it (a spike stays visible however wide the slot), scaled
/// to the window's peak. A slot without a measurement stays blank, so a console that just started does not
/// pretend to know the last 15 minutes. Slots are fixed in clock time (not counted back from now), so a
/// sample stays in its slot from one frame to the next and the line shifts left a whole slot at a time.
struct Sparkline {
    var series: TimeSeries
    var window: Double

    /// The level (index into the glyphs' levels) of each slot; nil where nothing was measured.
    func levels(width: Int, steps: Int) -> [Int?] {
        guard width > 0, steps > 0 else { return [] }
        var slots = [Float](repeating: .nan, count: width)
        let duration = window / Double(width)
        let last = (series.end / duration).rounded(.down)
        for (t, v) in zip(series.times, series.values) where !v.isNaN {
            let slot = width - 1 - Int(last - (t / duration).rounded(.down))
            guard slot >= 0, slot < width else { continue }
            if slots[slot].isNaN || v > slots[slot] { slots[slot] = v }
        }
        let peak = slots.lazy.filter { !$0.isNaN }.max() ?? 0
        return slots.map { v in
            guard !v.isNaN else { return nil }
            guard peak > 0 else { return 0 }
            return min(steps - 1, max(0, Int((v / peak * Float(steps - 1)).rounded(.up))))
        }
    }

    /// Draws the slots from `x`; returns the columns used (`width`).
    @discardableResult
    func render(into frame: inout Frame, x: Int, y: Int, width: Int, role: StyleRole = .good) -> Int {
        let glyphs = frame.glyphs.sparkLevels
        for (i, level) in levels(width: width, steps: glyphs.count).enumerated() {
            guard let level else { continue }
            frame.put(glyphs[level], x: x + i, y: y, role: role)
        }
        return width
    }
}
