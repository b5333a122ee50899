import VNetModel

/// The pool: its subnet, gateway, the node's own address and how many addresses it holds; for a `vnet` pool,
/// the blocks claimed from the VNet subnet instead of a capacity.
struct PoolSection: OverviewSection {
    let text: String

    init(_ s: NodeSnapshot) {
        var pool = (s.subnet ?? s.blockPool?.subnet).map { "\($0)" } ?? "no subnet"
        if let gw = s.gateway { pool += "  gw \(gw)" }
        if let primary = s.primaryAddress { pool += "  node \(primary)" }
        if let blocks = s.blockPool {
            let count = blocks.blocks.count
            pool += "  \(count) block\(count == 1 ? "" : "s") of \(blocks.blockSize) claimed from the VNet"
        } else {
            pool += "  capacity \(s.usage.capacity)"
        }
        text = pool
    }

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        pen.label("Pool", into: &frame)
        pen.line(text, into: &frame)
        pen.y += 1
    }
}
