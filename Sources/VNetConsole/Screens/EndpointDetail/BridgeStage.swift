import VNetModel

extension DetailStage {
    /// The bridge the veth is a port of, and whether it is vnet's: a veth on another bridge, or on none,
    /// does not reach the VNet. Without the veth there is no port to show.
    static func bridge(_ e: EndpointView, _ data: ConsoleData) -> DetailStage {
        let s = data.snapshot
        guard let link = e.link else {
            return DetailStage(title: "bridge \(s.bridge)", role: .dim, lines: [Line("not reachable without the veth", .dim)])
        }
        let name = link.master ?? "-"
        let bridge = s.bridgeLink?.name == name ? s.bridgeLink : s.links.first { $0.name == name }
        let line: Line
        if let bridge {
            line = Line("port of \(bridge.name) (bridge \(bridge.operState.rawValue), mtu \(bridge.mtu))")
        } else if link.master == nil {
            line = Line("the veth is not attached to any bridge", .bad)
        } else {
            line = Line("bridge \(name) not found (expected \(s.bridge))", .bad)
        }
        return DetailStage(title: "bridge \(name)", role: link.master == s.bridge ? .title : .bad, lines: [line])
    }
}
