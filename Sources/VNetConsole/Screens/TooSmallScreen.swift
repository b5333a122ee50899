/// What a terminal below the minimum size shows instead of a layout that would overlap.
enum TooSmallScreen {
    static func render(minimum: TerminalSize, into frame: inout Frame) {
        let need = "need \(minimum.width)x\(minimum.height), have \(frame.width)x\(frame.height)"
        let full = "terminal too small: " + need
        let lines = Frame.displayWidth(full) <= frame.width
            ? [full, "enlarge the window, or q to quit"]
            : ["terminal too small", "need \(minimum.width)x\(minimum.height)", "have \(frame.width)x\(frame.height)"]
        let top = max(0, (frame.height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < frame.height {
            let w = Frame.displayWidth(line)
            frame.put(line, x: max(0, (frame.width - w) / 2), y: top + i, role: i == 0 ? .warn : .normal)
        }
    }
}
