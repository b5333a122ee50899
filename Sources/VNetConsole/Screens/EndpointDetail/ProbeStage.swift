#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The probe pane under an endpoint's path: "probing..." while `t`'s probe runs, then one line per hop with
/// pass/fail, latency and what it says, and the verdict. Computed from the pane's state like the stages
/// above it, so what it says is tested without a frame.
enum ProbeStage {
    static func lines(_ state: ProbePaneState, now: Date) -> [DetailStage.Line] {
        switch state {
        case .running(_, let since):
            let seconds = max(0, now.timeIntervalSince(since))
            return [DetailStage.Line("probing... (\(Format.fixed1(seconds))s; gateway, node, VNet, DNS, internet)", .dim)]
        case .failed(_, let message, _):
            return [DetailStage.Line("cannot probe: \(message)", .bad)]
        case .finished(let report, let at):
            let width = report.hops.map(\.target.count).max() ?? 0
            var lines = report.hops.map { hop -> DetailStage.Line in
                let mark: String, role: StyleRole
                switch hop.outcome {
                case .pass: (mark, role) = ("PASS", .good)
                case .fail: (mark, role) = ("FAIL", .bad)
                case .skipped: (mark, role) = ("skip", .dim)
                }
                // A failure's counters say where its packet went; a pass needs no more than its answer.
                let detail = hop.outcome.failed ? hop.detail : hop.summary
                return DetailStage.Line("\(mark)  \(pad(hop.target, width))  \(pad(hop.timeText, 7)) \(detail)", role)
            }
            lines.append(DetailStage.Line("verdict \(Format.clock(at)): \(report.verdict.text)",
                                          report.verdict.passed ? .good : .bad))
            return lines
        }
    }

    /// Draws the pane's title and lines from the pen's row down.
    static func draw(_ state: ProbePaneState, now: Date, _ pen: inout Pen, into frame: inout Frame) {
        let role: StyleRole
        switch state {
        case .running: role = .title
        case .failed: role = .bad
        case .finished(let report, _): role = report.verdict.passed ? .title : .bad
        }
        pen.stage("path probe (t again re-runs)", role: role, into: &frame)
        for line in lines(state, now: now) { pen.put(line.text, role: line.role, into: &frame) }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
