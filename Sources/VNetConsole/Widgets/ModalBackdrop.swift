/// Sets a dialog apart from the screen under it: the screen is dimmed and a blank margin surrounds the
/// box, so no half-covered text sits against its border.
enum ModalBackdrop {
    static func render(into frame: inout Frame, area: Rect, box: Rect) {
        frame.restyle(area, role: .dim)
        let margin = Rect(x: box.x - 1, y: box.y, width: box.width + 2, height: box.height)
        let clipped = Rect(x: max(area.x, margin.x), y: margin.y,
                           width: min(area.maxX, margin.maxX) - max(area.x, margin.x), height: margin.height)
        frame.fill(clipped, role: .normal)
    }
}
