/// The demo's one line on top of the overview, saying what to try ("5 Leaks has a pod to reclaim ..."), so a
/// newcomer who ran `make run` knows where to look. Drawn only when a hint is configured (`--demo`).
enum DemoHintLine {
    /// Draws `hint` on the first row of `rect` and returns the rest of `rect`; without a hint, `rect` unchanged.
    static func render(_ hint: String?, into frame: inout Frame, rect: Rect) -> Rect {
        guard let hint, !hint.isEmpty, rect.height > 1 else { return rect }
        frame.put(hint, x: rect.x + 1, y: rect.y, role: .title, limit: rect.width - 2)
        return Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
    }
}
