import VNetModel

/// How many leak suspects there are, pointing to the screen that lists them.
struct LeaksSection: OverviewSection {
    let count: Int

    init(_ s: NodeSnapshot) {
        count = s.leaks.count
    }

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        pen.label("Leaks", into: &frame)
        pen.line(count == 0 ? "none suspected" : "\(count) suspected (screen 5)", role: count == 0 ? .good : .warn, into: &frame)
        pen.y += 1
    }
}
