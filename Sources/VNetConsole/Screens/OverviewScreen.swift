import VNetModel

/// Screen 1: the node at a glance. Pool occupancy against the node and VNet limits, NAT totals and rates,
/// bridge health, endpoint and leak counts, and the alerts. Also what `--once` prints.
enum OverviewScreen {
    static let labelWidth = 10

    /// Draws into `rect`; returns the number of rows used (so `--once` can trim).
    @discardableResult
    static func render(_ data: ConsoleData, into frame: inout Frame, rect: Rect) -> Int {
        let s = data.snapshot
        let u = s.usage
        let g = frame.glyphs
        var y = rect.y
        let x = rect.x + 1
        let width = rect.width - 2
        let valueX = x + labelWidth
        let valueWidth = width - labelWidth

        func label(_ text: String) { frame.put(text, x: x, y: y, role: .title, limit: labelWidth) }
        func line(_ text: String, role: StyleRole = .normal, at column: Int? = nil) {
            frame.put(text, x: column ?? valueX, y: y, role: role, limit: valueWidth - ((column ?? valueX) - valueX))
        }

        label("Pool")
        var pool = s.subnet.map { "\($0)" } ?? "no subnet"
        if let gw = s.gateway { pool += "  gw \(gw)" }
        if let primary = s.primaryAddress { pool += "  node \(primary)" }
        pool += "  capacity \(u.capacity)"
        line(pool)
        y += 1

        // The node gauge spans maxPodsPerNode. Flagged addresses are held (a subset of used), so used is
        // split to keep the bar's total honest.
        let nodeLimit = u.limits.maxPodsPerNode
        let flagged = min(u.flagged, u.used)
        let numbers = " \(u.used)/\(nodeLimit) pods \(Format.percent(u.used, of: nodeLimit))"
        let gaugeWidth = max(10, valueWidth - Frame.displayWidth(numbers))
        label("Node")
        Gauge(segments: [
            .init(count: u.used - flagged, role: .gaugeUsed, glyph: g.gaugeUsed),
            .init(count: flagged, role: .gaugeFlagged, glyph: g.gaugeFlagged),
            .init(count: u.coolingDown, role: .gaugeCooling, glyph: g.gaugeCooling),
            .init(count: u.assignableNow, role: .gaugeFree, glyph: g.gaugeFree),
        ], total: nodeLimit, rest: .init(count: 0, role: .dim, glyph: g.gaugeOutside))
            .render(into: &frame, x: valueX, y: y, width: gaugeWidth)
        line(numbers, role: u.used >= nodeLimit ? .bad : .normal, at: valueX + gaugeWidth)
        y += 1
        var legendX = valueX
        for (name, count, role, glyph) in [("used", u.used - flagged, StyleRole.gaugeUsed, g.gaugeUsed),
                                           ("flagged", flagged, .gaugeFlagged, g.gaugeFlagged),
                                           ("cooling", u.coolingDown, .gaugeCooling, g.gaugeCooling),
                                           ("free", u.assignableNow, .gaugeFree, g.gaugeFree)] {
            guard legendX < valueX + valueWidth else { break }
            frame.put(glyph, x: legendX, y: y, role: role)
            legendX += 1 + frame.put(" \(name) \(count)  ", x: legendX + 1, y: y, role: role == .gaugeFlagged && count > 0 ? .bad : .normal,
                                     limit: valueX + valueWidth - legendX - 1)
        }
        if u.capacity < nodeLimit {
            frame.put("(pool \(u.capacity) < limit \(nodeLimit))", x: legendX, y: y, role: .dim, limit: valueX + valueWidth - legendX)
        }
        y += 1

        let vnetLimit = u.limits.maxPodsPerVNet
        let vnetNumbers = " \(u.used)/\(vnetLimit) \(Format.percent(u.used, of: vnetLimit))"
        let vnetGauge = max(10, valueWidth - Frame.displayWidth(vnetNumbers))
        label("VNet")
        Gauge(segments: [.init(count: u.used, role: .gaugeUsed, glyph: g.gaugeUsed)], total: vnetLimit,
              rest: .init(count: 0, role: .gaugeFree, glyph: g.gaugeFree))
            .render(into: &frame, x: valueX, y: y, width: vnetGauge)
        line(vnetNumbers, at: valueX + vnetGauge)
        y += 1
        line("this node's share of the VNet limit (other nodes not counted)", role: .dim)
        y += 2

        label("NAT")
        if s.nat.present {
            let packets = s.nat.rules.reduce(UInt64(0)) { $0 &+ $1.packets }
            let bytes = s.nat.rules.reduce(UInt64(0)) { $0 &+ $1.bytes }
            let snat = s.nat.snatAddress?.description ?? "-"
            line("SNAT to \(snat)  \(s.nat.rules.count) rules  \(s.nat.perPod.count) pods  total \(Format.count(packets)) pkts \(Format.bytes(bytes))")
            y += 1
            if let d = data.rates.natRules {
                let moved = "+\(Format.count(d.packets)) pkts, +\(Format.bytes(d.bytes)) in \(Format.fixed1(d.seconds))s"
                line("now \(Format.countRate(d.packetsPerSecond))  \(Format.rate(d.bytesPerSecond))  (\(moved))")
            } else {
                line("rates after the next refresh", role: .dim)
            }
        } else {
            line("absent: vnet's nftables table is not installed", role: .bad)
        }
        y += 1

        label("Bridge")
        line(bridgeLine(data), role: bridgeRole(s))
        y += 1

        label("Pods")
        let health = s.endpoints.map(EndpointHealth.of)
        let ok = health.filter { $0.text == "ok" }.count
        var pods = "\(s.endpoints.count) endpoints  \(ok) ok"
        for problem in ["attaching", "down", "no veth", "ns gone"] {
            let n = health.filter { $0.text == problem }.count
            if n > 0 { pods += "  \(n) \(problem)" }
        }
        if !s.plainLeases.isEmpty { pods += "  IPAM-only \(s.plainLeases.count)" }
        line(pods, role: ok == s.endpoints.count ? .normal : .warn)
        y += 1

        label("Leaks")
        line(s.leaks.isEmpty ? "none suspected" : "\(s.leaks.count) suspected (screen 5)", role: s.leaks.isEmpty ? .good : .warn)
        y += 2

        frame.put("Alerts", x: x, y: y, role: .title)
        y += 1
        let alerts = s.alerts.sorted { $0.severity > $1.severity }
        if alerts.isEmpty {
            line("none", role: .good, at: x + 2)
            y += 1
        }
        for (i, alert) in alerts.enumerated() where y < rect.maxY {
            if y == rect.maxY - 1, i < alerts.count - 1 {
                line("\(g.ellipsis) \(alerts.count - i) more", role: .dim, at: x + 2)
                y += 1
                break
            }
            let role: StyleRole = alert.severity == .critical ? .bad : (alert.severity == .warning ? .warn : .normal)
            let tag = alert.severity == .critical ? "CRIT" : (alert.severity == .warning ? "WARN" : "info")
            frame.put(tag, x: x + 2, y: y, role: role)
            frame.put(alert.message, x: x + 7, y: y, role: .normal, limit: width - 7)
            y += 1
        }
        return y - rect.y
    }

    static func bridgeLine(_ data: ConsoleData) -> String {
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

    static func bridgeRole(_ s: NodeSnapshot) -> StyleRole {
        guard let bridge = s.bridgeLink else { return .bad }
        if !bridge.adminUp || bridge.operState == .down { return .bad }
        return bridge.operState == .up ? .good : .warn
    }
}
