/// Where a screen that draws top-down is: the left column inside a margin of one, the width to the right
/// margin, and the current row, which sections move down as they draw. Rows below the area are dropped, so
/// a long list simply ends at the bottom. The overview and the endpoint details each add their own strokes.
struct Pen {
    /// The left column.
    let x: Int
    /// From the left column to the right margin.
    let width: Int
    /// The first row below the area.
    let maxY: Int
    var y: Int

    init(rect: Rect) {
        x = rect.x + 1
        width = rect.width - 2
        maxY = rect.maxY
        y = rect.y
    }
}
