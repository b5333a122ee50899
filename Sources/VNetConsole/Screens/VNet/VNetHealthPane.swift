import VNetModel

/// The lines under the VNet screen's node table: the conflicts between nodes, explained, and the
/// registry's health, member by member. Values first (lines with roles), then drawing, so a pane too
/// short for them all says how many lines it left out rather than ending silently.
struct VNetHealthPane {
    struct Line {
        var text: String
        var role: StyleRole
    }

    let conflicts: [Line]
    let registry: [Line]

    init(_ status: VNetStatus) {
        conflicts = status.conflicts.isEmpty
            ? [Line(text: "none: no pools overlap and no address is leased twice", role: .good)]
            : status.conflicts.map { Line(text: "\($0.kind.rawValue): \($0.explanation)", role: .bad) }
        var lines = status.registry.members.map { member in
            Line(text: "\(member.endpoint)  \(member.reachable ? "reachable" : "UNREACHABLE")\(member.isLeader ? "  leader" : "")",
                 role: member.reachable ? .normal : .bad)
        }
        if lines.isEmpty { lines.append(Line(text: "no members reported", role: .warn)) }
        if let error = status.registry.lastError { lines.append(Line(text: "last error: \(error)", role: .bad)) }
        lines.append(Line(text: "revision \(status.revision)  read \(Format.clock(status.readAt))", role: .dim))
        registry = lines
    }

    /// Rows the pane wants: a title row and the lines of each part.
    var wantedHeight: Int { 2 + conflicts.count + registry.count }

    func render(into frame: inout Frame, rect: Rect) {
        guard rect.height >= 2 else { return }
        // Conflicts get the rows they need up to half the pane; the registry the rest.
        let conflictRows = min(conflicts.count, max(1, (rect.height - 2) / 2))
        let registryRows = rect.height - 2 - conflictRows
        var y = rect.y
        section("conflicts", conflicts, rows: conflictRows, y: &y, into: &frame, rect: rect)
        section("registry", registry, rows: registryRows, y: &y, into: &frame, rect: rect)
    }

    private func section(_ title: String, _ lines: [Line], rows: Int, y: inout Int, into frame: inout Frame, rect: Rect) {
        guard y < rect.maxY else { return }
        frame.hline(x: rect.x, y: y, width: rect.width, role: .border)
        frame.put(" \(title) ", x: rect.x + 2, y: y, role: .title)
        y += 1
        for (i, line) in lines.prefix(max(0, rows)).enumerated() where y < rect.maxY {
            if i == rows - 1, lines.count > rows {
                frame.put("\(frame.glyphs.ellipsis) \(lines.count - i) more", x: rect.x + 1, y: y, role: .dim, limit: rect.width - 1)
            } else {
                frame.put(frame.glyphs.pointer, x: rect.x + 1, y: y, role: line.role)
                frame.put(line.text, x: rect.x + 3, y: y, role: line.role, limit: rect.width - 3)
            }
            y += 1
        }
    }
}
