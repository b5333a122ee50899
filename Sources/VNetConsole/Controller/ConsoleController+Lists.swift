/// Selection and sorting on list screens, the same for every table.
extension ConsoleController {
    /// Row identities of the current screen in display order (after filter and sort).
    func visibleIDs(_ screen: ScreenID) -> [String] {
        let list = state.lists[screen] ?? ListState()
        // The VNet screen's rows come from the registry, and show even before the node's first snapshot.
        if screen == .vnet {
            guard let status = vnet?.status else { return [] }
            return VNetNodesTable.prepared(status, list: list).map(VNetNodesTable.id)
        }
        if screen == .events { return eventRows(list).map(EventsScreen.id) }
        guard let data else { return [] }
        switch screen {
        case .overview, .vnet, .events: return []
        case .endpoints: return EndpointsScreen.prepared(data, list: list).map(EndpointsScreen.id)
        case .links: return LinksScreen.prepared(data, list: list).map(LinksScreen.id)
        case .nat: return NATScreen.prepared(data, list: list).map(NATScreen.id)
        case .leaks: return LeaksScreen.prepared(data, list: list).map(LeaksScreen.id)
        case .security: return SecurityRulesTable.prepared(data, list: list).map(SecurityRulesTable.id)
        }
    }

    /// The Events screen's rows for `list`, prepared once per change of the feed, filter or sort.
    func eventRows(_ list: ListState) -> [EventFeed.Entry] {
        let key = EventRowsKey(arrivals: events.arrivals, filter: list.filter, sort: list.sort)
        if let cached = preparedEvents, cached.key == key { return cached.rows }
        let rows = EventsScreen.prepared(events, list: list)
        preparedEvents = (key, rows)
        return rows
    }

    /// The selected row's identity on the current screen: the remembered one if still shown, else the first.
    func selectedID() -> String? {
        let ids = visibleIDs(state.screen)
        if let id = state.list.selectedID, ids.contains(id) { return id }
        return ids.first
    }

    /// Moves the selection by `delta` rows (clamped).
    func moveSelection(by delta: Int) {
        let ids = visibleIDs(state.screen)
        guard !ids.isEmpty else { return }
        let current = state.list.selectedID.flatMap { ids.firstIndex(of: $0) } ?? 0
        let next = min(ids.count - 1, max(0, current + delta))
        state.list.selectedID = ids[next]
    }

    func moveSelection(toEnd: Bool) {
        let ids = visibleIDs(state.screen)
        state.list.selectedID = toEnd ? ids.last : ids.first
    }

    /// Rows a page move jumps: the table's visible rows.
    var pageRows: Int { max(1, lastSize.height - 8) }

    /// `s`: the next sortable column, ascending.
    func cycleSort() {
        let current = state.list.sort?.column
        let next: Int?
        switch state.screen {
        case .overview: return
        case .endpoints: next = EndpointsScreen.nextSortColumn(after: current)
        case .links: next = LinksScreen.nextSortColumn(after: current)
        case .nat: next = NATScreen.nextSortColumn(after: current)
        case .leaks: next = LeaksScreen.nextSortColumn(after: current)
        case .vnet: next = VNetNodesTable.nextSortColumn(after: current)
        case .events: next = EventsScreen.nextSortColumn(after: current)
        case .security: next = SecurityRulesTable.nextSortColumn(after: current)
        }
        guard let next else { return }
        state.list.sort = SortOrder(column: next, ascending: true)
        setStatus("sorted by \(columnTitle(next))", .info)
    }

    /// `S`: reverses the current sort.
    func reverseSort() {
        guard state.screen != .overview else { return }
        var sort = state.list.sort ?? SortOrder(column: 0)
        sort.ascending.toggle()
        state.list.sort = sort
        setStatus("sorted by \(columnTitle(sort.column)) \(sort.ascending ? "ascending" : "descending")", .info)
    }

    func columnTitle(_ column: Int) -> String {
        let titles: [String]
        switch state.screen {
        case .overview: titles = []
        case .endpoints: titles = EndpointsScreen.columns.map(\.title)
        case .links: titles = LinksScreen.columns.map(\.title)
        case .nat: titles = NATScreen.columns.map(\.title)
        case .leaks: titles = LeaksScreen.columns.map(\.title)
        case .vnet: titles = VNetNodesTable.columns.map(\.title)
        case .events: titles = EventsScreen.columns.map(\.title)
        case .security: titles = SecurityRulesTable.columns.map(\.title)
        }
        return column < titles.count ? titles[column] : "column \(column)"
    }

    /// Row counts for the tab bar.
    var tabCounts: [ScreenID: Int] {
        var counts: [ScreenID: Int] = [:]
        if let s = data?.snapshot {
            counts = [.endpoints: s.endpoints.count, .links: s.links.count, .nat: s.nat.perPod.count, .leaks: s.leaks.count]
        }
        if let nodes = vnet?.status?.nodes { counts[.vnet] = nodes.count }
        if eventSource != nil { counts[.events] = events.entries.count }
        if let security = data?.security { counts[.security] = security.ordered.count }
        return counts
    }

    /// How long a failed call keeps the Events tab marked.
    static let recentFailure: Double = 15 * 60

    /// Tabs that want a look: leak suspects; a VNet with LOST nodes, conflicts, or a STALE or missing view.
    var tabWarnings: Set<ScreenID> {
        var warnings: Set<ScreenID> = []
        if let s = data?.snapshot, !s.leaks.isEmpty { warnings.insert(.leaks) }
        if let failure = events.lastFailure, now().timeIntervalSince(failure.event.at) < Self.recentFailure {
            warnings.insert(.events)
        }
        if let view = vnet {
            let troubled = view.status.map { $0.nodes.contains(where: \.isLost) || !$0.conflicts.isEmpty } ?? true
            if troubled || view.isStale { warnings.insert(.vnet) }
        }
        return warnings
    }
}

/// What the Events screen's prepared rows depend on.
struct EventRowsKey: Hashable {
    var arrivals: Int
    var filter: String
    var sort: SortOrder?
}
