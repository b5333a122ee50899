import VNetModel

/// One hop of a pod's traffic on the details screen (pod interface, host veth, bridge, NAT): its title and
/// the lines under it, each with its role. Each hop's file computes one from the data; drawing is only
/// this type's, so what a stage says can be tested without a frame.
struct DetailStage: Hashable {
    struct Line: Hashable {
        var text: String
        var role: StyleRole

        init(_ text: String, _ role: StyleRole = .normal) {
            self.text = text
            self.role = role
        }
    }

    var title: String
    var role: StyleRole
    var lines: [Line]

    func draw(_ pen: inout Pen, into frame: inout Frame) {
        pen.stage(title, role: role, into: &frame)
        for line in lines { pen.put(line.text, role: line.role, into: &frame) }
    }

    /// "(+12K, 6.0K/s)", or nothing before the second snapshot.
    static func delta(_ d: CounterDelta?) -> String {
        guard let d else { return "" }
        return "(+\(Format.bytes(d.bytes)), \(Format.rate(d.bytesPerSecond)))"
    }
}
