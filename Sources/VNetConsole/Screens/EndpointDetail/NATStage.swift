import VNetModel

extension DetailStage {
    /// Masquerading on the way out: the pod's own counter and every rule's, with their movement; or that
    /// vnet's table is absent, so the pod's address leaves the node as it is.
    static func nat(_ e: EndpointView, _ data: ConsoleData) -> DetailStage {
        let nat = data.snapshot.nat
        guard nat.present else {
            return DetailStage(title: "NAT", role: .bad,
                               lines: [Line("vnet's nftables table is absent: traffic leaves with the pod's address", .bad)])
        }
        var lines: [Line] = []
        if let publicIP = e.publicIP { lines.append(Line("public IP \(publicIP): reached at it, and leaves with it to the internet")) }
        if !e.portMappings.isEmpty { lines.append(Line("host ports " + e.portMappings.map(Self.describe).joined(separator: ", "))) }
        if let counter = nat.perPod.first(where: { $0.address == e.address }) {
            let d = data.rates.pod(e.address)
            let to = nat.snatAddress?.description ?? "-"
            lines.append(Line("to \(to): \(Format.count(counter.packets)) pkts \(Format.bytes(counter.bytes)) \(delta(d))"))
        } else {
            lines.append(Line("no per-pod counter for \(e.address)", .warn))
        }
        for rule in nat.rules.sorted(by: { ($0.chain, $0.handle) < ($1.chain, $1.handle) }) {
            let d = data.rates.rule(rule)
            lines.append(Line("\(rule.chain)#\(rule.handle) \(Format.count(rule.packets)) pkts \(delta(d))  \(rule.comment)", .dim))
        }
        return DetailStage(title: "NAT", role: .title, lines: lines)
    }

    /// "tcp 8080->80", or "10.240.0.44:8081/udp->53" for a port on one address.
    static func describe(_ mapping: PortMapping) -> String {
        let host = mapping.hostIP.map { "\($0):\(mapping.hostPort)/\(mapping.transport.rawValue)" } ?? "\(mapping.transport.rawValue) \(mapping.hostPort)"
        return "\(host)->\(mapping.containerPort)"
    }
}
