import VNetModel

extension DetailStage {
    /// The node's end of the veth pair: its state, traffic with the movement since the last refresh, and
    /// drops and errors; or that it is missing, which cuts the pod off.
    static func hostVeth(_ e: EndpointView, _ data: ConsoleData) -> DetailStage {
        let title = "host veth \(e.hostVeth)"
        guard let link = e.link else {
            return DetailStage(title: title, role: .bad,
                               lines: [Line("missing from the kernel: the pod has no path to the node", .bad)])
        }
        let d = data.rates.link(link.name)
        let c = link.counters
        let rx = "rx \(Format.bytes(c.rxBytes)) \(Format.count(c.rxPackets)) pkts \(delta(d?.rx))"
        let tx = "tx \(Format.bytes(c.txBytes)) \(Format.count(c.txPackets)) pkts \(delta(d?.tx))"
        let drops = c.rxDropped &+ c.txDropped, errors = c.rxErrors &+ c.txErrors
        let dropDelta = d.map { " (+\($0.dropped))" } ?? "", errorDelta = d.map { " (+\($0.errors))" } ?? ""
        return DetailStage(title: title, role: .title, lines: [
            Line("ifindex \(link.index)  \(link.operState.rawValue)  mtu \(link.mtu)  mac \(link.mac)",
                 link.operState == .up ? .normal : .warn),
            Line("\(rx)   \(tx)"),
            Line("drops \(Format.count(drops))\(dropDelta)  errors \(Format.count(errors))\(errorDelta)",
                 drops > 0 || errors > 0 ? .warn : .dim),
        ])
    }
}
