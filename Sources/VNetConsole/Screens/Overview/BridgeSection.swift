import VNetModel

/// The bridge: its state, ports, traffic and drops, green only when it is up.
struct BridgeSection: OverviewSection {
    let text: String
    let role: StyleRole

    init(_ data: ConsoleData) {
        text = Self.text(data)
        role = Self.role(data.snapshot)
    }

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        pen.label("Bridge", into: &frame)
        pen.line(text, role: role, into: &frame)
        pen.y += 1
    }

    static func text(_ data: ConsoleData) -> String {
        let s = data.snapshot
        guard let bridge = s.bridgeLink else { return "\(s.bridge) missing" }
        let ports = s.links.filter { $0.master == bridge.name }
        let up = ports.filter { $0.operState == .up }.count
        var text = "\(bridge.name) \(bridge.operState.rawValue)  mtu \(bridge.mtu)  ports \(ports.count) (\(up) up)"
        if let d = data.rates.link(bridge.name) {
            text += "  rx \(Format.rate(d.rx.bytesPerSecond)) tx \(Format.rate(d.tx.bytesPerSecond))"
        }
        let drops = bridge.counters.rxDropped &+ bridge.counters.txDropped
        if drops > 0 { text += "  drops \(Format.count(drops))" }
        return text
    }

    /// Missing, administratively down or down is bad; up is good; anything else (unknown, dormant) a warning.
    static func role(_ s: NodeSnapshot) -> StyleRole {
        guard let bridge = s.bridgeLink else { return .bad }
        if !bridge.adminUp || bridge.operState == .down { return .bad }
        return bridge.operState == .up ? .good : .warn
    }
}
