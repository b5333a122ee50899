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
    /// `history` adds the pod's trends under the title; `probe`: the probe pane of this endpoint (`t`), drawn
    /// under the stages; the stages above it give up their last lines when the screen is short.
    static func render(_ data: ConsoleData, key: AttachmentKey, history: NodeHistory? = nil, probe: ProbePaneState? = nil,
                       now: Date = Date(), into frame: inout Frame, rect: Rect) {
        var stagesRect = rect
        if let probe {
            let height = min(ProbeStage.lines(probe, now: now).count + 1, max(0, rect.height - 4))
            stagesRect = Rect(x: rect.x, y: rect.y, width: rect.width, height: rect.height - height)
            var pen = Pen(rect: Rect(x: rect.x, y: stagesRect.maxY, width: rect.width, height: height))
            ProbeStage.draw(probe, now: now, &pen, into: &frame)
        }
        renderStages(data, key: key, history: history, now: now, into: &frame, rect: stagesRect)
    }

    private static func renderStages(_ data: ConsoleData, key: AttachmentKey, history: NodeHistory?, now: Date,
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
        if let history { PodTrends(history, address: e.address, now: now).draw(&pen, into: &frame) }
        if let rules = RulesSummary.line(e, data) { pen.put(rules, indent: 0, role: .dim, into: &frame) }
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
