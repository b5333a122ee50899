#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Enter on an endpoint: the path of its traffic, stage by stage, with live counters and their movement
/// since the last refresh: pod interface -> host veth -> bridge port -> NAT.
///
/// Each stage is computed from the data first (Screens/EndpointDetail/) and then drawn, as the overview's
/// sections are; this type draws the title and the connectors between the stages.
enum EndpointDetailScreen {
    static func render(_ data: ConsoleData, key: AttachmentKey, history: NodeHistory? = nil, now: Date? = nil,
                       into frame: inout Frame, rect: Rect) {
        var pen = Pen(rect: rect)
        guard let e = data.endpoint(for: key) else {
            frame.put("Endpoint \(key)", x: pen.x, y: pen.y, role: .title, limit: pen.width)
            pen.y += 2
            pen.put("is gone: it was detached or its state entry removed since the last refresh", indent: 0, role: .bad, into: &frame)
            return
        }
        frame.put("Endpoint \(e.pod.display)  \(Format.shortKey(e.key))", x: pen.x, y: pen.y, role: .title, limit: pen.width - 9)
        frame.putRight("Esc back", right: rect.maxX - 1, y: pen.y, role: .dim)
        pen.y += 1
        if let history { PodTrends(history, address: e.address, now: now ?? data.snapshot.takenAt).draw(&pen, into: &frame) }
        pen.y += 1

        DetailStage.podInterface(e, data).draw(&pen, into: &frame)
        pen.connector("veth pair", into: &frame)
        DetailStage.hostVeth(e, data).draw(&pen, into: &frame)
        pen.connector("bridge port", into: &frame)
        DetailStage.bridge(e, data).draw(&pen, into: &frame)
        pen.connector("SNAT for traffic leaving the VNet", into: &frame)
        DetailStage.nat(e, data).draw(&pen, into: &frame)
    }
}
