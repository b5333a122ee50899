/// A full screen as a grid of cells: what screens produce and terminals draw. Screens never talk to a
/// terminal, so every screen can be tested by comparing `text` with a golden file.
public struct Frame: Hashable, Sendable {
    public let width: Int
    public let height: Int
    /// The characters borders, gauges and truncation use; ASCII when the terminal is not UTF-8.
    public let glyphs: Glyphs
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, glyphs: Glyphs = .unicode, role: StyleRole = .normal) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.glyphs = glyphs
        cells = Array(repeating: Cell(scalar: " ", role: role), count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return .blank }
        return cells[y * width + x]
    }

    /// Writes one scalar; returns the columns it took (0 when clipped or zero-width).
    @discardableResult
    public mutating func put(_ scalar: Unicode.Scalar, x: Int, y: Int, role: StyleRole) -> Int {
        guard y >= 0, y < height, x >= 0, x < width else { return 0 }
        var s = scalar
        var w = ScalarWidth.of(s)
        if w < 0 || (glyphs.asciiOnly && s.value > 0x7E) { s = glyphs.replacement; w = 1 }
        if w == 0 { return 0 }
        if w == 2 && x + 1 >= width { s = " "; w = 1 }
        unlinkWide(at: x, y: y)
        cells[y * width + x] = Cell(scalar: s, role: role)
        if w == 2 {
            unlinkWide(at: x + 1, y: y)
            cells[y * width + x + 1] = Cell(scalar: Cell.continuation, role: role)
        }
        return w
    }

    /// Writes `text` from (x, y), at most `limit` columns (to the right edge by default). Text that does not
    /// fit ends in an ellipsis, so a cut value is never mistaken for a whole one. Returns the columns used.
    @discardableResult
    public mutating func put<S: StringProtocol>(_ text: S, x: Int, y: Int, role: StyleRole, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let end = min(width, x + (limit ?? (width - x)))
        var col = x
        for scalar in text.unicodeScalars {
            let w = glyphs.asciiOnly && scalar.value > 0x7E ? 1 : max(1, ScalarWidth.of(scalar))
            if ScalarWidth.of(scalar) == 0 && !glyphs.asciiOnly { continue }
            if col + w > end {
                if end - 1 >= x {
                    put(glyphs.ellipsis, x: end - 1, y: y, role: role)
                }
                return end - x
            }
            col += put(scalar, x: col, y: y, role: role)
        }
        return col - x
    }

    /// Writes `text` so that it ends at column `right` (exclusive).
    @discardableResult
    public mutating func putRight<S: StringProtocol>(_ text: S, right: Int, y: Int, role: StyleRole, limit: Int? = nil) -> Int {
        let w = min(Frame.displayWidth(text), limit ?? Int.max)
        return put(text, x: right - w, y: y, role: role, limit: limit)
    }

    /// Fills a rectangle with one scalar and role.
    public mutating func fill(_ rect: Rect, with scalar: Unicode.Scalar = " ", role: StyleRole) {
        let r = clip(rect)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { cells[y * width + x] = Cell(scalar: scalar, role: role) }
        }
    }

    /// Changes the role of every cell in a rectangle, keeping the characters (row highlight).
    public mutating func restyle(_ rect: Rect, role: StyleRole) {
        let r = clip(rect)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { cells[y * width + x].role = role }
        }
    }

    /// Draws a border around `rect` with an optional title in its top edge.
    public mutating func box(_ rect: Rect, role: StyleRole, title: String? = nil, titleRole: StyleRole = .title) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let g = glyphs
        for x in rect.x + 1..<rect.maxX - 1 {
            put(g.horizontal, x: x, y: rect.y, role: role)
            put(g.horizontal, x: x, y: rect.maxY - 1, role: role)
        }
        for y in rect.y + 1..<rect.maxY - 1 {
            put(g.vertical, x: rect.x, y: y, role: role)
            put(g.vertical, x: rect.maxX - 1, y: y, role: role)
        }
        put(g.topLeft, x: rect.x, y: rect.y, role: role)
        put(g.topRight, x: rect.maxX - 1, y: rect.y, role: role)
        put(g.bottomLeft, x: rect.x, y: rect.maxY - 1, role: role)
        put(g.bottomRight, x: rect.maxX - 1, y: rect.maxY - 1, role: role)
        if let title, rect.width > 6 {
            put(" \(title) ", x: rect.x + 2, y: rect.y, role: titleRole, limit: rect.width - 4)
        }
    }

    /// A horizontal rule.
    public mutating func hline(x: Int, y: Int, width w: Int, role: StyleRole) {
        for c in x..<(x + max(0, w)) { put(glyphs.horizontal, x: c, y: y, role: role) }
    }

    /// The frame as plain text: one line per row, trailing blanks removed. What goldens and `--once` use.
    public var text: String {
        var out = String.UnicodeScalarView()
        out.reserveCapacity(width * height + height)
        for y in 0..<height {
            appendLine(y, to: &out)
            if y < height - 1 { out.append("\n") }
        }
        return String(out)
    }

    /// One row as plain text, trailing blanks removed.
    public func line(_ y: Int) -> String {
        var out = String.UnicodeScalarView()
        appendLine(y, to: &out)
        return String(out)
    }

    /// The roles as one letter per cell (see `StyleRole.letter`), for checking colours in tests.
    public var roleText: String {
        var out = ""
        for y in 0..<height {
            for x in 0..<width { out.append(cells[y * width + x].role.letter) }
            if y < height - 1 { out.append("\n") }
        }
        return out
    }

    /// Columns `text` takes on a terminal.
    public static func displayWidth<S: StringProtocol>(_ text: S) -> Int {
        var w = 0
        for scalar in text.unicodeScalars { w += max(0, ScalarWidth.of(scalar) < 0 ? 1 : ScalarWidth.of(scalar)) }
        return w
    }

    private func appendLine(_ y: Int, to out: inout String.UnicodeScalarView) {
        guard y >= 0, y < height else { return }
        var last = y * width
        for x in 0..<width where cells[y * width + x].scalar != " " && !cells[y * width + x].isContinuation {
            last = y * width + x + 1
        }
        for i in (y * width)..<last where !cells[i].isContinuation { out.append(cells[i].scalar) }
    }

    private func clip(_ rect: Rect) -> Rect {
        let x0 = max(0, rect.x), y0 = max(0, rect.y)
        return Rect(x: x0, y: y0, width: min(width, rect.maxX) - x0, height: min(height, rect.maxY) - y0)
    }

    /// Overwriting half of a double-width character would leave the other half dangling: blank it.
    private mutating func unlinkWide(at x: Int, y: Int) {
        let i = y * width + x
        if cells[i].isContinuation, x > 0 {
            cells[i - 1].scalar = " "
        } else if x + 1 < width, cells[i + 1].isContinuation, ScalarWidth.of(cells[i].scalar) == 2 {
            cells[i + 1].scalar = " "
        }
    }
}
