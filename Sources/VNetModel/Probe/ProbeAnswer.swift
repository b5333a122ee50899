/// What the probe's pod-side transport reports for one attempt: an answer after some time, or a failure.
public enum ProbeAnswer: Hashable, Sendable {
    case reply(milliseconds: Double)
    case failure(ProbeFailure, milliseconds: Double)
}
