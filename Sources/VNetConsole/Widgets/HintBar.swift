/// The bottom line: the keys that work here, key in reverse and a word after it, as many as fit.
struct HintBar {
    var items: [(key: String, label: String)]

    func render(into frame: inout Frame, y: Int) {
        frame.fill(Rect(x: 0, y: y, width: frame.width, height: 1), role: .hint)
        var x = 0
        for item in fitting(frame.width) {
            x += frame.put(item.key, x: x, y: y, role: .hintKey)
            x += frame.put(item.label, x: x, y: y, role: .hint)
            x += 1
        }
    }

    /// The items that fit in `width`: the last one (Quit, Cancel...) always stays; the ones before it
    /// are dropped from the end.
    func fitting(_ width: Int) -> [(key: String, label: String)] {
        func need(_ list: [(key: String, label: String)]) -> Int {
            list.reduce(0) { $0 + Frame.displayWidth($1.key) + Frame.displayWidth($1.label) + 1 }
        }
        var kept = items
        while need(kept) > width, kept.count > 1 { kept.remove(at: kept.count - 2) }
        return kept
    }
}
