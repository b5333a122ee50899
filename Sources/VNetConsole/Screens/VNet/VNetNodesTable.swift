import VNetModel

/// The VNet screen's table: one row per node the registry knows, with what it uses against what it
/// reserved, whether its agent still beats (LOST otherwise), what it reports about its pool and, for a
/// `vnet` pool, how many blocks it owns and how many of their addresses are free. This node's row carries
/// the mark column's dot.
enum VNetNodesTable: ListScreen {
    static func rows(_ status: VNetStatus) -> [VNetNodeStatus] { status.nodes }

    static var columns: [TableColumn<VNetNodeStatus>] {
        [
            TableColumn("NODE", width: 14, flexible: true, maxWidth: 32, text: { $0.name }, sort: { .text($0.name) }),
            // Drawn by `drawBars` after the table: a cell of a column has one role and the terminal's glyphs
            // are not known here, and the bar needs two of each.
            TableColumn("USE/RSVD", width: 10, priority: 2, text: { _ in "" },
                        sort: { .number(Double($0.used) / Double(max(1, $0.reserved))) }),
            TableColumn("USED", width: 5, alignRight: true, text: { "\($0.used)" }, sort: { .number(Double($0.used)) }),
            TableColumn("RSVD", width: 5, alignRight: true, text: { "\($0.reserved)" },
                        role: { $0.used > $0.reserved ? .bad : nil }, sort: { .number(Double($0.reserved)) }),
            TableColumn("STATE", width: 5, text: { $0.alive ? "alive" : "LOST" }, role: { $0.alive ? .good : .bad },
                        sort: { .text($0.alive ? "alive" : "LOST") }),
            TableColumn("BEAT", width: 6, alignRight: true, text: { Format.age($0.heartbeatAge) },
                        role: { $0.record == nil ? .dim : nil }, sort: { .number($0.heartbeatAge ?? .infinity) }),
            TableColumn("LEAKS", width: 5, alignRight: true, text: { $0.record == nil ? "-" : "\($0.leaks)" },
                        role: { $0.leaks > 0 ? .warn : nil }, sort: { .number(Double($0.leaks)) }),
            TableColumn("POOL", width: 16, flexible: true, priority: 1,
                        text: { $0.record == nil ? "never published" : ($0.poolRanges.isEmpty ? "-" : $0.poolRanges.joined(separator: " ")) },
                        role: { $0.record == nil ? .dim : nil }, sort: { .text($0.poolRanges.first ?? "") }),
            TableColumn("BLOCKS", width: 6, priority: 2, alignRight: true, text: { $0.blocks.isEmpty ? "-" : "\($0.blocks.count)" },
                        sort: { .number(Double($0.blocks.count)) }),
            TableColumn("FREE", width: 5, priority: 2, alignRight: true, text: { $0.freeInBlocks.map { "\($0)" } ?? "-" },
                        role: { $0.freeInBlocks == 0 ? .warn : nil }, sort: { .number(Double($0.freeInBlocks ?? -1)) }),
            TableColumn("ADDRESS", width: 15, priority: 3, text: { $0.record?.primaryAddress?.description ?? "-" },
                        sort: { .number(Double($0.record?.primaryAddress?.value ?? 0)) }),
            TableColumn("CAP", width: 5, priority: 4, alignRight: true, text: { $0.record.map { "\($0.capacity)" } ?? "-" }),
            TableColumn("AGENT", width: 10, priority: 5, text: { $0.record?.agentVersion ?? "-" }),
        ]
    }

    static func id(_ row: VNetNodeStatus) -> String { row.name }

    static func searchText(_ row: VNetNodeStatus) -> String {
        "\(row.name) \(row.alive ? "alive" : "lost") \(row.poolRanges.joined(separator: " ")) "
            + (row.record?.primaryAddress?.description ?? "")
    }

    static var emptyMessage: String { "no node has registered in this VNet yet" }

    static let barColumn = 1

    /// Cells of the node's bar: used, then reserved but unused, scaled to the larger of the two, so a node
    /// using all it reserved shows a full bar whatever its size. At least one used cell for any pod.
    static func barCells(_ node: VNetNodeStatus, width: Int) -> (used: Int, idle: Int) {
        let scale = max(node.reserved, node.used)
        guard scale > 0, width > 0 else { return (0, 0) }
        var used = (node.used * width + scale / 2) / scale
        if node.used > 0 { used = max(1, used) }
        return (used, width - used)
    }

    /// Draws each shown row's bar into the USE/RSVD column the table left blank (when the width keeps it):
    /// used cells, then reserved-idle cells; all bad when the node uses more than it reserved.
    static func drawBars(_ rows: [VNetNodeStatus], top: Int, selected: String?, into frame: inout Frame, rect: Rect) {
        let markWidth = 2
        let columns = self.columns
        let layout = TableLayout(columns: columns, width: rect.width - markWidth)
        guard let n = layout.columns.firstIndex(of: barColumn) else { return }
        let x = rect.x + markWidth + layout.widths[..<n].reduce(0, +) + n
        let width = layout.widths[n]
        let g = frame.glyphs
        for line in 0..<max(0, rect.height - 1) {
            let index = top + line
            guard index < rows.count else { break }
            let node = rows[index]
            let y = rect.y + 1 + line
            let cells = barCells(node, width: width)
            let over = node.used > node.reserved
            let isSelected = node.name == selected
            for i in 0..<width {
                let glyph = i < cells.used ? g.gaugeUsed : (i < cells.used + cells.idle ? g.gaugeReserved : g.gaugeFree)
                let role: StyleRole = isSelected ? .selected
                    : over ? .bad : (i < cells.used ? .gaugeUsed : (i < cells.used + cells.idle ? .gaugeReserved : .gaugeFree))
                frame.put(glyph, x: x + i, y: y, role: role)
            }
        }
    }
}
