import VNetModel

/// The endpoints by health: how many are ok and how many have each problem, plus addresses IPAM holds
/// without an endpoint. A warning unless every endpoint is ok.
struct PodsSection: OverviewSection {
    /// The problems counted, in this order; an unconfirmed namespace is not one of them (it is no fault).
    static let problems: [EndpointHealth] = [.attaching, .down, .noVeth, .namespaceGone]

    let text: String
    let allOK: Bool

    init(_ s: NodeSnapshot) {
        let health = s.endpoints.map(EndpointHealth.init)
        let ok = health.filter { $0 == .ok }.count
        var pods = "\(s.endpoints.count) endpoints  \(ok) ok"
        for problem in Self.problems {
            let n = health.filter { $0 == problem }.count
            if n > 0 { pods += "  \(n) \(problem.text)" }
        }
        if !s.plainLeases.isEmpty { pods += "  IPAM-only \(s.plainLeases.count)" }
        text = pods
        allOK = ok == s.endpoints.count
    }

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        pen.label("Pods", into: &frame)
        pen.line(text, role: allOK ? .normal : .warn, into: &frame)
        pen.y += 1
    }
}
