import VNetModel

extension DetailStage {
    /// The pod's side: its health, interface and address, namespace (and whether it is still there),
    /// container and phase.
    static func podInterface(_ e: EndpointView, _ data: ConsoleData) -> DetailStage {
        let health = EndpointHealth(e)
        let prefix = data.snapshot.subnet.map { "/\($0.length)" } ?? ""
        var iface = "\(e.key.ifname)  \(e.address)\(prefix)"
        if let gw = data.snapshot.gateway { iface += "  gw \(gw)" }
        let netns: Line
        switch e.namespace {
        case .alive: netns = Line("netns \(e.netns) (alive)")
        case .gone: netns = Line("netns \(e.netns) (GONE)", .bad)
        case .unconfirmed: netns = Line("netns \(e.netns) (UNCONFIRMED from this mount namespace)", .warn)
        }
        let age = Format.age(data.snapshot.takenAt.timeIntervalSince(e.createdAt))
        return DetailStage(title: "pod interface  \(health.text)", role: health.role == .good ? .title : health.role, lines: [
            Line(iface),
            netns,
            Line("container \(e.key.containerID)", .dim),
            Line("phase \(e.phase.rawValue)  created \(Format.clock(e.createdAt)) (\(age) ago)", e.phase == .ready ? .dim : .warn),
        ])
    }
}
