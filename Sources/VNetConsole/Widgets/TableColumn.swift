/// One column of a table: how to show a row's value and how to sort by it.
struct TableColumn<Row> {
    var title: String
    /// Columns it needs; flexible columns also share what is left over.
    var width: Int
    var flexible = false
    /// The most a flexible column grows to, so one name column does not eat a wide terminal.
    var maxWidth = Int.max
    /// 0 is always shown; higher numbers are dropped first when the terminal is narrow.
    var priority = 0
    var alignRight = false
    var text: (Row) -> String
    /// The row's role for this cell; nil is normal text.
    var role: ((Row) -> StyleRole?)? = nil
    /// The value this column sorts by; nil when the column is not sortable. A key per row (instead of a
    /// comparator) means each row is looked at once per sort, not once per comparison.
    var sort: ((Row) -> SortKey)? = nil

    init(_ title: String, width: Int, flexible: Bool = false, maxWidth: Int = .max, priority: Int = 0, alignRight: Bool = false,
         text: @escaping (Row) -> String, role: ((Row) -> StyleRole?)? = nil, sort: ((Row) -> SortKey)? = nil) {
        self.title = title
        self.width = width
        self.flexible = flexible
        self.maxWidth = maxWidth
        self.priority = priority
        self.alignRight = alignRight
        self.text = text
        self.role = role
        self.sort = sort
    }
}

/// Which columns fit in a width, and how wide each is.
struct TableLayout: Equatable {
    var columns: [Int]
    var widths: [Int]

    /// Drops the least important columns until the rest fit, then gives the spare columns to the
    /// flexible ones, so 80 columns shows the essentials and 200 shows everything.
    init<Row>(columns: [TableColumn<Row>], width: Int, gap: Int = 1) {
        var shown = Array(columns.indices)
        func total(_ set: [Int]) -> Int { set.reduce(0) { $0 + columns[$1].width } + max(0, set.count - 1) * gap }
        while total(shown) > width, shown.count > 1 {
            guard let drop = shown.filter({ columns[$0].priority > 0 })
                .max(by: { (columns[$0].priority, $0) < (columns[$1].priority, $1) }) else { break }
            shown.removeAll { $0 == drop }
        }
        var widths = shown.map { columns[$0].width }
        var spare = width - total(shown)
        while spare > 0 {
            let growing = shown.indices.filter { columns[shown[$0]].flexible && widths[$0] < columns[shown[$0]].maxWidth }
            guard !growing.isEmpty else { break }
            let share = max(1, spare / growing.count)
            for i in growing where spare > 0 {
                let add = min(share, spare, columns[shown[i]].maxWidth - widths[i])
                widths[i] += add
                spare -= add
            }
        }
        if spare < 0, let last = widths.indices.last {
            widths[last] = max(1, widths[last] + spare)
        }
        self.columns = shown
        self.widths = widths
    }
}

/// What a row sorts by in one column: text (Unicode order, the same in every locale) or a number.
enum SortKey: Comparable {
    case number(Double)
    case text(String)

    static func < (lhs: SortKey, rhs: SortKey) -> Bool {
        switch (lhs, rhs) {
        case let (.number(a), .number(b)): return a < b
        case let (.text(a), .text(b)): return a < b
        case (.number, .text): return true
        case (.text, .number): return false
        }
    }
}

/// The order a table is sorted in: a column index and a direction.
public struct SortOrder: Hashable, Sendable {
    public var column: Int
    public var ascending: Bool

    public init(column: Int, ascending: Bool = true) {
        self.column = column
        self.ascending = ascending
    }
}
