/// Where the overview draws: a column of titles, a column of values beside it, and the current row, which
/// the sections move down as they draw.
struct OverviewPen {
    static let labelWidth = 10

    /// The titles' column.
    let x: Int
    /// From the titles' column to the right margin.
    let width: Int
    /// The first row below the area.
    let maxY: Int
    var y: Int

    init(rect: Rect) {
        x = rect.x + 1
        width = rect.width - 2
        maxY = rect.maxY
        y = rect.y
    }

    var valueX: Int { x + Self.labelWidth }
    var valueWidth: Int { width - Self.labelWidth }

    /// A section's title in the titles' column of the current row.
    func label(_ text: String, into frame: inout Frame) {
        frame.put(text, x: x, y: y, role: .title, limit: Self.labelWidth)
    }

    /// Text on the current row from `column` (the values' column by default), cut at the right margin.
    func line(_ text: String, role: StyleRole = .normal, at column: Int? = nil, into frame: inout Frame) {
        let start = column ?? valueX
        frame.put(text, x: start, y: y, role: role, limit: valueWidth - (start - valueX))
    }
}
