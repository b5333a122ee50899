/// The cells that differ between what is on screen and the next frame, row by row in runs, so a terminal
/// sends only those. Shared by both terminals so the memory terminal tests the same logic curses uses.
public struct FrameDiff: Sendable {
    /// A run of changed cells on one row.
    public struct Run: Hashable, Sendable {
        public var y: Int
        public var x: Int
        public var count: Int
    }

    public private(set) var runs: [Run] = []

    /// Everything when `old` is nil or of another size.
    public init(from old: Frame?, to new: Frame) {
        guard let old, old.width == new.width, old.height == new.height else {
            for y in 0..<new.height where new.width > 0 { runs.append(Run(y: y, x: 0, count: new.width)) }
            return
        }
        let w = new.width
        for y in 0..<new.height {
            var x = 0
            while x < w {
                guard old[x, y] != new[x, y] else { x += 1; continue }
                // A double-width character is drawn from its first column, with both columns.
                let start = new[x, y].isContinuation && x > 0 ? x - 1 : x
                while x < w, old[x, y] != new[x, y] { x += 1 }
                while x < w, new[x, y].isContinuation { x += 1 }
                if let last = runs.last, last.y == y, last.x + last.count >= start {
                    runs[runs.count - 1].count = x - last.x
                } else {
                    runs.append(Run(y: y, x: start, count: x - start))
                }
            }
        }
    }

    public var changedCells: Int { runs.reduce(0) { $0 + $1.count } }
}
