import VNetModel

/// Enter on an endpoint: the path of its traffic, stage by stage, with live counters and their movement
/// since the last refresh: pod interface -> host veth -> bridge port -> NAT.
enum EndpointDetailScreen {
    static func render(_ data: ConsoleData, key: AttachmentKey, into frame: inout Frame, rect: Rect) {
        let x = rect.x + 1
        let width = rect.width - 2
        var y = rect.y
        let g = frame.glyphs
        func put(_ text: String, indent: Int = 4, role: StyleRole = .normal) {
            guard y < rect.maxY else { return }
            frame.put(text, x: x + indent, y: y, role: role, limit: width - indent)
            y += 1
        }
        func stage(_ title: String, role: StyleRole = .title) {
            guard y < rect.maxY else { return }
            frame.put(g.pointer, x: x, y: y, role: role)
            frame.put(title, x: x + 2, y: y, role: role, limit: width - 2)
            y += 1
        }
        func connector(_ text: String) {
            guard y < rect.maxY else { return }
            frame.put(g.vertical, x: x + 2, y: y, role: .border)
            frame.put(text, x: x + 4, y: y, role: .dim, limit: width - 4)
            y += 1
        }

        guard let e = data.endpoint(for: key) else {
            frame.put("Endpoint \(key)", x: x, y: y, role: .title, limit: width)
            y += 2
            put("is gone: it was detached or its state entry removed since the last refresh", indent: 0, role: .bad)
            return
        }
        frame.put("Endpoint \(e.pod.display)  \(Format.shortKey(e.key))", x: x, y: y, role: .title, limit: width - 9)
        frame.putRight("Esc back", right: rect.maxX - 1, y: y, role: .dim)
        y += 2

        let health = EndpointHealth.of(e)
        stage("pod interface  \(health.text)", role: health.role == .good ? .title : health.role)
        let prefix = data.snapshot.subnet.map { "/\($0.length)" } ?? ""
        var iface = "\(e.key.ifname)  \(e.address)\(prefix)"
        if let gw = data.snapshot.gateway { iface += "  gw \(gw)" }
        put(iface)
        switch e.namespace {
        case .alive: put("netns \(e.netns) (alive)", role: .normal)
        case .gone: put("netns \(e.netns) (GONE)", role: .bad)
        case .unconfirmed: put("netns \(e.netns) (UNCONFIRMED from this mount namespace)", role: .warn)
        }
        put("container \(e.key.containerID)", role: .dim)
        let age = Format.age(data.snapshot.takenAt.timeIntervalSince(e.createdAt))
        put("phase \(e.phase.rawValue)  created \(Format.clock(e.createdAt)) (\(age) ago)",
            role: e.phase == .ready ? .dim : .warn)
        connector("veth pair")

        stage("host veth \(e.hostVeth)", role: e.link == nil ? .bad : .title)
        if let link = e.link {
            put("ifindex \(link.index)  \(link.operState.rawValue)  mtu \(link.mtu)  mac \(link.mac)",
                role: link.operState == .up ? .normal : .warn)
            let d = data.rates.link(link.name)
            let c = link.counters
            let rx = "rx \(Format.bytes(c.rxBytes)) \(Format.count(c.rxPackets)) pkts \(delta(d?.rx))"
            put("\(rx)   tx \(Format.bytes(c.txBytes)) \(Format.count(c.txPackets)) pkts \(delta(d?.tx))")
            let drops = c.rxDropped &+ c.txDropped, errors = c.rxErrors &+ c.txErrors
            let dropDelta = d.map { " (+\($0.dropped))" } ?? "", errorDelta = d.map { " (+\($0.errors))" } ?? ""
            put("drops \(Format.count(drops))\(dropDelta)  errors \(Format.count(errors))\(errorDelta)",
                role: drops > 0 || errors > 0 ? .warn : .dim)
            connector("bridge port")
            let bridgeName = link.master ?? "-"
            let bridge = data.snapshot.bridgeLink?.name == bridgeName
                ? data.snapshot.bridgeLink : data.snapshot.links.first { $0.name == bridgeName }
            stage("bridge \(bridgeName)", role: link.master == data.snapshot.bridge ? .title : .bad)
            if let bridge {
                put("port of \(bridge.name) (bridge \(bridge.operState.rawValue), mtu \(bridge.mtu))")
            } else if link.master == nil {
                put("the veth is not attached to any bridge", role: .bad)
            } else {
                put("bridge \(bridgeName) not found (expected \(data.snapshot.bridge))", role: .bad)
            }
        } else {
            put("missing from the kernel: the pod has no path to the node", role: .bad)
            connector("bridge port")
            stage("bridge \(data.snapshot.bridge)", role: .dim)
            put("not reachable without the veth", role: .dim)
        }
        connector("SNAT for traffic leaving the VNet")

        let nat = data.snapshot.nat
        stage("NAT", role: nat.present ? .title : .bad)
        guard nat.present else {
            put("vnet's nftables table is absent: traffic leaves with the pod's address", role: .bad)
            return
        }
        if let counter = nat.perPod.first(where: { $0.address == e.address }) {
            let d = data.rates.pod(e.address)
            put("to \(nat.snatAddress?.description ?? "-"): \(Format.count(counter.packets)) pkts \(Format.bytes(counter.bytes)) \(delta(d))")
        } else {
            put("no per-pod counter for \(e.address)", role: .warn)
        }
        for rule in nat.rules.sorted(by: { ($0.chain, $0.handle) < ($1.chain, $1.handle) }) where y < rect.maxY {
            let d = data.rates.rule(rule)
            put("\(rule.chain)#\(rule.handle) \(Format.count(rule.packets)) pkts \(delta(d))  \(rule.comment)", role: .dim)
        }
    }

    /// "(+12K, 6.0K/s)", or nothing before the second snapshot.
    private static func delta(_ d: CounterDelta?) -> String {
        guard let d else { return "" }
        return "(+\(Format.bytes(d.bytes)), \(Format.rate(d.bytesPerSecond)))"
    }
}
