/// The overview's strokes: a column of titles (the pen's left column), a column of values beside it.
extension Pen {
    static let labelWidth = 10

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
