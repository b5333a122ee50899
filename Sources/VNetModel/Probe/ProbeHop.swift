/// One hop of a path probe: what it aimed at, how it ended, how long it took, and the facts that explain a
/// failure (the counters it moved, the gateway's neighbour entry, whether vnet's NAT table was there).
/// The words shown to operators (`detail`, and the verdict) are made from these facts, never stored.
public struct ProbeHop: Hashable, Sendable {
    public var kind: ProbeHopKind
    /// nil when the hop was skipped for want of a target.
    public var address: IPv4Address?
    public var outcome: ProbeOutcome
    /// Time to the answer (or to the failure); nil when skipped.
    public var milliseconds: Double?
    public var moved: ProbeCounterMovement
    /// The gateway hop only: the pod's neighbour entry for the gateway after the ping; nil: no entry.
    public var neighbour: NeighbourEntry?
    /// Whether vnet's NAT table was there during the hop; nil when it was not looked at (skipped hops).
    public var natTablePresent: Bool?

    public init(kind: ProbeHopKind, address: IPv4Address?, outcome: ProbeOutcome, milliseconds: Double? = nil,
                moved: ProbeCounterMovement = ProbeCounterMovement(), neighbour: NeighbourEntry? = nil,
                natTablePresent: Bool? = nil) {
        self.kind = kind
        self.address = address
        self.outcome = outcome
        self.milliseconds = milliseconds
        self.moved = moved
        self.neighbour = neighbour
        self.natTablePresent = natTablePresent
    }

    /// A skipped hop.
    public static func skipped(_ kind: ProbeHopKind, address: IPv4Address? = nil, _ reason: ProbeSkipReason) -> ProbeHop {
        ProbeHop(kind: kind, address: address, outcome: .skipped(reason))
    }

    /// "gateway 10.240.0.1", "internet" (no address).
    public var target: String { address.map { "\(kind.label) \($0)" } ?? kind.label }

    /// "0.42ms", "12.3ms", "1000ms"; "-" when the hop did not run.
    public var timeText: String {
        guard let ms = milliseconds else { return "-" }
        let scale = ms < 10 ? 100.0 : ms < 100 ? 10.0 : 1.0
        let rounded = (ms * scale).rounded() / scale
        return scale == 1 ? "\(Int(rounded))ms" : "\(rounded)ms"
    }

    /// What happened, in a line: the answer or the failure, then the supporting facts.
    public var detail: String {
        if case .skipped = outcome { return summary }
        return summary + "; " + moved.text
    }

    /// `detail` without the counters, for a table that shows them in columns of their own.
    public var summary: String {
        var parts: [String] = []
        switch outcome {
        case .pass: parts.append("reply")
        case .fail(let failure): parts.append(failure.text)
        case .skipped(let reason): return "skipped: \(reason.text)"
        }
        if kind == .gateway { parts.append(neighbour?.text ?? "no neighbour entry") }
        if kind == .internet, natTablePresent == false { parts.append("vnet's NAT table is missing") }
        return parts.joined(separator: "; ")
    }
}
