import VNetModel

/// The pool: its subnet, gateway, the node's own address and how many addresses it holds.
struct PoolSection: OverviewSection {
    let text: String

    init(_ s: NodeSnapshot) {
        var pool = s.subnet.map { "\($0)" } ?? "no subnet"
        if let gw = s.gateway { pool += "  gw \(gw)" }
        if let primary = s.primaryAddress { pool += "  node \(primary)" }
        pool += "  capacity \(s.usage.capacity)"
        text = pool
    }

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        pen.label("Pool", into: &frame)
        pen.line(text, into: &frame)
        pen.y += 1
    }
}
