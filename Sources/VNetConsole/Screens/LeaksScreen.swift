import VNetModel

/// Screen 5: suspected leaks with their evidence; space marks, `r` reclaims the marked ones (or the
/// selected one).
enum LeaksScreen: ListScreen {
    static func rows(_ data: ConsoleData) -> [LeakSuspect] { data.snapshot.leaks }

    static var columns: [TableColumn<LeakSuspect>] {
        [
            TableColumn("ADDRESS", width: 15, text: { $0.address?.description ?? "-" },
                        sort: { .number(Double($0.address?.value ?? 0)) }),
            TableColumn("ATTACHMENT", width: 17, text: { $0.key.map(Format.shortKey) ?? "-" },
                        sort: { .text($0.key?.description ?? "") }),
            // A veth the kernel no longer has is named, marked gone: the record names it, the node does not.
            TableColumn("VETH", width: 21, priority: 1, text: { row in row.hostVeth.map { row.evidence.contains(.noVeth) ? "\($0) (gone)" : $0 } ?? "-" },
                        sort: { .text($0.hostVeth ?? "") }),
            TableColumn("EVIDENCE", width: 22, flexible: true, text: { $0.evidence.map(\.rawValue).joined(separator: ",") },
                        role: { _ in .warn }, sort: { .number(Double($0.evidence.count)) }),
            TableColumn("NETNS", width: 16, flexible: true, priority: 2, text: { $0.netns ?? "-" }),
        ]
    }

    static func id(_ row: LeakSuspect) -> String {
        if let address = row.address { return address.description }
        if let veth = row.hostVeth { return "veth:" + veth }
        if let key = row.key { return "key:" + key.description }
        return "netns:" + (row.netns ?? "?")
    }

    static func searchText(_ row: LeakSuspect) -> String {
        "\(row.address?.description ?? "") \(row.key?.description ?? "") \(row.hostVeth ?? "") \(row.netns ?? "") "
            + row.evidence.map(\.rawValue).joined(separator: " ")
    }

    static var emptyMessage: String { "no leak suspects: every lease, endpoint and veth accounts for the others" }

    /// The evidence of the selected suspect, spelled out, in the lines under the table.
    static func renderEvidence(_ suspect: LeakSuspect?, marked: Int, into frame: inout Frame, rect: Rect) {
        guard rect.height >= 2 else { return }
        frame.hline(x: rect.x, y: rect.y, width: rect.width, role: .border)
        frame.put(" evidence ", x: rect.x + 2, y: rect.y, role: .title)
        if marked > 0 {
            frame.putRight(" \(marked) marked ", right: rect.maxX - 2, y: rect.y, role: .marked)
        }
        guard let suspect else { return }
        var y = rect.y + 1
        for evidence in suspect.evidence where y < rect.maxY {
            frame.put("\(frame.glyphs.pointer) \(evidence.rawValue): \(evidence.explanation)", x: rect.x + 1, y: y,
                      role: .normal, limit: rect.width - 1)
            y += 1
        }
        if suspect.address == nil, y < rect.maxY {
            frame.put("no address held: nothing to reclaim here; vnetctl gc removes stray links", x: rect.x + 1, y: y,
                      role: .dim, limit: rect.width - 1)
        }
    }
}
