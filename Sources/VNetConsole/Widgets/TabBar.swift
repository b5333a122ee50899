/// The screen tabs under the header ("1 Overview  2 Endpoints 5 ..."), with row counts and, on the
/// right, the current filter.
struct TabBar {
    var current: ScreenID
    var counts: [ScreenID: Int]
    var filter: String
    var editingFilter: Bool
    /// Screens whose tab is drawn as a warning (leak suspects; LOST nodes, conflicts or a STALE VNet).
    var warnings: Set<ScreenID> = []

    /// How much of each tab is spelled out: the whole title while the bar fits, then short titles for all
    /// tabs but the current one, then those without their leading space too (only the current tab, drawn in
    /// its own colour, needs it), so eight tabs with three-digit counts still fit 80 columns.
    func labels(width: Int) -> [String] {
        func labels(short: Bool, tight: Bool = false) -> [String] {
            ScreenID.allCases.map { screen in
                let other = screen != current
                var label = (tight && other ? "" : " ") + "\(screen.rawValue) \(short && other ? screen.shortTitle : screen.title)"
                if let n = counts[screen] { label += " \(n)" }
                return label + " "
            }
        }
        func fits(_ labels: [String]) -> Bool { labels.reduce(0) { $0 + Frame.displayWidth($1) + 1 } <= width }
        let full = labels(short: false)
        if fits(full) { return full }
        let short = labels(short: true)
        return fits(short) ? short : labels(short: true, tight: true)
    }

    func render(into frame: inout Frame, y: Int) {
        var x = 0
        for (screen, label) in zip(ScreenID.allCases, labels(width: frame.width)) {
            let role: StyleRole = screen == current ? .tabActive : (warnings.contains(screen) ? .warn : .normal)
            x += frame.put(label, x: x, y: y, role: role, limit: max(0, frame.width - x))
            x += 1
        }
        guard editingFilter || !filter.isEmpty else { return }
        let text = "/" + filter
        let cursorWidth = editingFilter ? 1 : 0
        let start = max(x + 1, frame.width - Frame.displayWidth(text) - cursorWidth - 1)
        guard start < frame.width - 2 else { return }
        let used = frame.put(text, x: start, y: y, role: .input, limit: frame.width - start - cursorWidth - 1)
        if editingFilter { frame.put(frame.glyphs.cursor, x: start + used, y: y, role: .input) }
    }
}
