/// A screen that is a filterable, sortable table of rows taken from the data. The controller handles
/// selection, filter and sort the same way for all of them. The rows come from the node's data, except on
/// the VNet screen, whose rows come from the registry's view (`Input`).
protocol ListScreen {
    associatedtype Row
    associatedtype Input = ConsoleData
    static func rows(_ data: Input) -> [Row]
    static var columns: [TableColumn<Row>] { get }
    /// Identity that survives refreshes (selection, marks).
    static func id(_ row: Row) -> String
    /// What `/` matches against, lowercased by the caller.
    static func searchText(_ row: Row) -> String
    static var emptyMessage: String { get }
    /// Where the row with identity `id` is in `rows`; by default by comparing each row's identity.
    static func index(of id: String, in rows: [Row]) -> Int?
}

extension ListScreen {
    static func index(of id: String, in rows: [Row]) -> Int? { rows.firstIndex { Self.id($0) == id } }

    /// Rows after the list's filter (case-insensitive substring) and sort (ties by identity, so equal
    /// keys never shuffle between refreshes).
    static func prepared(_ data: Input, list: ListState) -> [Row] {
        var rows = rows(data)
        let filter = list.filter.lowercased()
        if !filter.isEmpty { rows = rows.filter { searchText($0).lowercased().contains(filter) } }
        let columns = columns
        guard let sort = list.sort, sort.column < columns.count, let key = columns[sort.column].sort else { return rows }
        let keyed = rows.indices.map { (key: key(rows[$0]), id: id(rows[$0]), index: $0) }
        let order = keyed.sorted { a, b in
            if a.key != b.key { return (a.key < b.key) == sort.ascending }
            return a.id < b.id
        }
        return order.map { rows[$0.index] }
    }

    /// The column `s` moves to after `current`: the next sortable one, wrapping around.
    static func nextSortColumn(after current: Int?) -> Int? {
        let sortable = columns.indices.filter { columns[$0].sort != nil }
        guard !sortable.isEmpty else { return nil }
        guard let current, let next = sortable.first(where: { $0 > current }) else { return sortable[0] }
        return next
    }

    /// Draws the table in `rect`; returns the scroll position to remember.
    static func renderTable(_ rows: [Row], list: ListState, into frame: inout Frame, rect: Rect,
                            marks: Set<String>? = nil) -> Int {
        let selected = list.selectedID.flatMap { index(of: $0, in: rows) } ?? (rows.isEmpty ? nil : 0)
        let marked: ((Row) -> Bool)? = marks.map { set in { set.contains(Self.id($0)) } }
        let empty = list.filter.isEmpty ? emptyMessage : "no rows match \"\(list.filter)\" (Esc clears the filter)"
        let table = TableView(columns: columns, rows: rows, selected: selected, top: list.top, sort: list.sort,
                              isMarked: marked, emptyMessage: empty)
        return table.render(into: &frame, rect: rect)
    }
}
