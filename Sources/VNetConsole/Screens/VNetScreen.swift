#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Screen 6: the whole VNet as the registry holds it. The quota in one line, the gauge (this node's part
/// marked), how fresh the view is, a table of nodes (this node marked; LOST nodes can be forgotten with
/// `f`), then the conflicts between nodes and the registry's health.
///
/// The last good view stays on screen when the registry stops answering, marked STALE with its age; before
/// the first answer the screen says that the registry has not answered and why.
public enum VNetScreen {
    /// Draws into `rect`; returns the node table's scroll position for the controller to keep and where the
    /// table went (for mouse clicks on its rows), nil without a table.
    @discardableResult
    static func render(_ vnet: VNetView?, list: ListState, now: Date, into frame: inout Frame, rect: Rect) -> (top: Int, table: Rect?) {
        let x = rect.x + 1, width = rect.width - 2
        guard let vnet else {
            frame.put("this node has no VNet registry: screen 1 shows this node's pods against the VNet limit", x: x,
                      y: rect.y + 1, role: .dim, limit: width)
            return (0, nil)
        }
        let notice = vnet.notice(at: now)
        guard let status = vnet.status else {
            frame.put(notice?.text ?? "the registry has not answered yet", x: x, y: rect.y + 1, role: notice?.role ?? .dim,
                      limit: width)
            return (0, nil)
        }
        var y = rect.y
        let (quota, pressure) = Self.quotaLine(status)
        let used = frame.put(quota, x: x, y: y, role: .normal, limit: width)
        if let pressure { frame.put(pressure, x: x + used, y: y, role: .warn, limit: width - used) }
        y += 1
        let gauge = VNetGauge(status, thisNode: vnet.thisNode)
        gauge.drawBar(into: &frame, x: x, y: y, width: width)
        y += 1
        let legend = gauge.drawLegend(into: &frame, x: x, y: y, width: width)
        // What the table's dot means, when the legend leaves room for it.
        if x + legend + 13 <= rect.maxX - 1 {
            frame.put(frame.glyphs.mark, x: rect.maxX - 13, y: y, role: .marked)
            frame.put(" this node", x: rect.maxX - 12, y: y, role: .dim)
        }
        y += 1
        if let notice {
            frame.put(notice.text, x: x, y: y, role: notice.role, limit: width)
            y += 1
        }
        let pane = VNetHealthPane(status)
        let rows = VNetNodesTable.prepared(status, list: list)
        let rest = rect.maxY - y
        // The pane takes what it needs when the table leaves room, else up to a third; the table keeps at
        // least a header and five rows, and the pane follows a short table directly.
        let tableNeeds = max(2, rows.count + 1)
        let paneHeight = max(0, min(pane.wantedHeight, max(rest - tableNeeds, max(4, rest / 3)), rest - 6))
        let table = Rect(x: rect.x, y: y, width: rect.width, height: min(rest - paneHeight, tableNeeds))
        let top = VNetNodesTable.renderTable(rows, list: list, into: &frame, rect: table, marks: [vnet.thisNode])
        let selected = list.selectedID.flatMap { id in rows.contains { $0.name == id } ? id : nil } ?? rows.first?.name
        VNetNodesTable.drawBars(rows, top: top, selected: selected, into: &frame, rect: table)
        pane.render(into: &frame, rect: Rect(x: rect.x, y: table.maxY, width: rect.width, height: paneHeight))
        return (top, table)
    }

    /// "vnet prod  limit 16000  used 312  reserved 1200  free 15688  unreserved 14800", and the pressure
    /// part apart (drawn as a warning).
    static func quotaLine(_ status: VNetStatus) -> (String, String?) {
        let quota = "\(status.vnet)  limit \(status.limit)  used \(status.used)  reserved \(status.reserved)"
            + "  free \(status.free)  unreserved \(status.unreserved)"
        return (quota, status.pressureFrom.map { "  PRESSURE from \($0)" })
    }

    /// The VNet screen alone (no header, tabs or hints) as a frame of `width` x `height`: a pure function of
    /// the view, for benchmarks of a large VNet and for tools that print it.
    public static func frame(_ vnet: VNetView, width: Int, height: Int, now: Date, glyphs: Glyphs = .unicode,
                             filter: String = "", sortColumn: Int = 0, ascending: Bool = true, selected: String? = nil) -> Frame {
        var frame = Frame(width: width, height: height, glyphs: glyphs)
        var list = ListState(sort: SortOrder(column: sortColumn, ascending: ascending))
        list.filter = filter
        list.selectedID = selected
        render(vnet, list: list, now: now, into: &frame, rect: Rect(x: 0, y: 0, width: width, height: height))
        return frame
    }
}
