/// The endpoint details' strokes: one row at a time from the top.
extension Pen {
    /// A line of text under a stage (indented) or on its own (`indent` 0).
    mutating func put(_ text: String, indent: Int = 4, role: StyleRole = .normal, into frame: inout Frame) {
        guard y < maxY else { return }
        frame.put(text, x: x + indent, y: y, role: role, limit: width - indent)
        y += 1
    }

    /// A stage's title behind a pointer: one hop of the pod's traffic.
    mutating func stage(_ title: String, role: StyleRole, into frame: inout Frame) {
        guard y < maxY else { return }
        frame.put(frame.glyphs.pointer, x: x, y: y, role: role)
        frame.put(title, x: x + 2, y: y, role: role, limit: width - 2)
        y += 1
    }

    /// The link between two stages: a vertical bar and what joins them.
    mutating func connector(_ text: String, into frame: inout Frame) {
        guard y < maxY else { return }
        frame.put(frame.glyphs.vertical, x: x + 2, y: y, role: .border)
        frame.put(text, x: x + 4, y: y, role: .dim, limit: width - 4)
        y += 1
    }
}
