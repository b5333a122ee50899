#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The probe pane of an endpoint's details: running since when, or its result. One probe at a time; the
/// pane shows only on the details of the endpoint it probed.
public enum ProbePaneState: Hashable, Sendable {
    case running(AttachmentKey, since: Date)
    case finished(ProbeReport, at: Date)
    case failed(AttachmentKey, message: String, at: Date)

    public var key: AttachmentKey {
        switch self {
        case .running(let key, _): return key
        case .finished(let report, _): return report.key
        case .failed(let key, _, _): return key
        }
    }

    public var isRunning: Bool {
        if case .running = self { return true }
        return false
    }
}
