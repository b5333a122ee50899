/// The mouse, as the keys would do it: a click on a tab opens its screen, a click on a row selects it, a
/// double click opens its details, the wheel moves the selection. Dialogs and the attach form take keys
/// only: a stray click must never confirm a change.
extension ConsoleController {
    /// Rows one wheel step moves.
    static let wheelRows = 3

    public func handle(_ event: MouseEvent) {
        switch keyMode {
        case .confirm, .form, .verify: return
        case .filter: state.editingFilter = false
        case .screens: break
        }
        switch event.kind {
        case .wheelUp, .wheelDown:
            guard state.overlays.isEmpty else { return }
            moveSelection(by: event.kind == .wheelUp ? -Self.wheelRows : Self.wheelRows)
        case .click, .doubleClick:
            if event.y == Self.tabBarRow {
                if let screen = tab(at: event.x) { show(screen) }
                return
            }
            guard state.overlays.isEmpty, let id = rowID(at: event.y) else { return }
            state.list.selectedID = id
            if event.kind == .doubleClick { openDetail() }
        }
    }

    /// The row of the tab bar (under the two header lines).
    static let tabBarRow = 2

    /// The screen whose tab covers column `x`, laid out as the tab bar draws it.
    func tab(at x: Int) -> ScreenID? {
        let bar = TabBar(current: state.screen, counts: tabCounts, filter: state.list.filter, editingFilter: state.editingFilter,
                         warnings: tabWarnings)
        var start = 0
        for (screen, label) in zip(ScreenID.allCases, bar.labels(width: lastSize.width)) {
            let end = start + Frame.displayWidth(label)
            if x >= start, x < end { return screen }
            start = end + 1
        }
        return nil
    }

    /// The identity of the table row drawn on line `y` of the last frame.
    func rowID(at y: Int) -> String? {
        guard let table = lastTable, y > table.y, y < table.maxY else { return nil }
        let index = state.list.top + (y - table.y - 1)
        let ids = visibleIDs(state.screen)
        return ids.indices.contains(index) ? ids[index] : nil
    }
}
