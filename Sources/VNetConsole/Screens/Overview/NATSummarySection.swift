import VNetModel

/// NAT at a glance: where traffic is masqueraded to, the totals, and how fast they move now.
struct NATSummarySection: OverviewSection {
    enum Value {
        /// vnet's nftables table is not installed.
        case absent
        /// The totals, and the rates (nil until a second snapshot gives them).
        case present(totals: String, rates: String?)
    }

    let value: Value

    init(_ data: ConsoleData) {
        let nat = data.snapshot.nat
        guard nat.present else {
            value = .absent
            return
        }
        let packets = nat.rules.reduce(UInt64(0)) { $0 &+ $1.packets }
        let bytes = nat.rules.reduce(UInt64(0)) { $0 &+ $1.bytes }
        let snat = nat.snatAddress?.description ?? "-"
        let totals = "SNAT to \(snat)  \(nat.rules.count) rules  \(nat.perPod.count) pods  "
            + "total \(Format.count(packets)) pkts \(Format.bytes(bytes))"
        let rates = data.rates.natRules.map { d in
            let moved = "+\(Format.count(d.packets)) pkts, +\(Format.bytes(d.bytes)) in \(Format.fixed1(d.seconds))s"
            return "now \(Format.countRate(d.packetsPerSecond))  \(Format.rate(d.bytesPerSecond))  (\(moved))"
        }
        value = .present(totals: totals, rates: rates)
    }

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        pen.label("NAT", into: &frame)
        switch value {
        case .absent:
            pen.line("absent: vnet's nftables table is not installed", role: .bad, into: &frame)
        case .present(let totals, let rates):
            pen.line(totals, into: &frame)
            pen.y += 1
            if let rates {
                pen.line(rates, into: &frame)
            } else {
                pen.line("rates after the next refresh", role: .dim, into: &frame)
            }
        }
        pen.y += 1
    }
}
