/// Draws rows under a header line, with the selection highlighted, marks in the first column and the
/// view scrolled so the selection stays visible.
struct TableView<Row> {
    var columns: [TableColumn<Row>]
    var rows: [Row]
    var selected: Int?
    /// First row shown; adjusted by `render` to keep the selection visible.
    var top: Int
    var sort: SortOrder?
    /// Shows a mark column when set.
    var isMarked: ((Row) -> Bool)?
    var emptyMessage: String

    /// Draws into `rect` and returns the first row shown, for the controller to keep.
    @discardableResult
    func render(into frame: inout Frame, rect: Rect) -> Int {
        guard rect.height >= 1, rect.width >= 4 else { return top }
        let markWidth = isMarked == nil ? 0 : 2
        let layout = TableLayout(columns: columns, width: rect.width - markWidth)
        var x = rect.x + markWidth
        frame.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), role: .title)
        for (n, c) in layout.columns.enumerated() {
            var title = columns[c].title
            if let sort, sort.column == c {
                title += String(sort.ascending ? frame.glyphs.sortAscending : frame.glyphs.sortDescending)
            }
            putAligned(title, into: &frame, x: x, y: rect.y, width: layout.widths[n], right: columns[c].alignRight, role: .title)
            x += layout.widths[n] + 1
        }
        let body = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
        guard !rows.isEmpty else {
            frame.put(emptyMessage, x: body.x + 1, y: body.y, role: .dim, limit: body.width - 1)
            return 0
        }
        let first = Self.scrolledTop(top: top, selected: selected, count: rows.count, height: body.height)
        for line in 0..<body.height {
            let index = first + line
            guard index < rows.count else { break }
            let row = rows[index]
            let y = body.y + line
            if let isMarked, isMarked(row) {
                frame.put(frame.glyphs.mark, x: rect.x, y: y, role: .marked)
            }
            var cx = rect.x + markWidth
            for (n, c) in layout.columns.enumerated() {
                let column = columns[c]
                let role = column.role?(row) ?? .normal
                putAligned(column.text(row), into: &frame, x: cx, y: y, width: layout.widths[n], right: column.alignRight, role: role)
                cx += layout.widths[n] + 1
            }
            if index == selected {
                frame.restyle(Rect(x: rect.x, y: y, width: rect.width, height: 1), role: .selected)
            }
        }
        if rows.count > body.height {
            let info = " \(first + 1)-\(min(rows.count, first + body.height))/\(rows.count) "
            frame.putRight(info, right: rect.maxX, y: rect.y, role: .dim)
        }
        return first
    }

    /// The first row to show so that `selected` is visible, moving as little as possible.
    static func scrolledTop(top: Int, selected: Int?, count: Int, height: Int) -> Int {
        guard height > 0, count > 0 else { return 0 }
        var first = min(max(0, top), max(0, count - height))
        if let selected {
            if selected < first { first = selected }
            if selected >= first + height { first = selected - height + 1 }
        }
        return max(0, first)
    }

    private func putAligned(_ text: String, into frame: inout Frame, x: Int, y: Int, width: Int, right: Bool, role: StyleRole) {
        if right {
            let w = Frame.displayWidth(text)
            if w <= width {
                frame.put(text, x: x + width - w, y: y, role: role)
                return
            }
        }
        frame.put(text, x: x, y: y, role: role, limit: width)
    }
}
