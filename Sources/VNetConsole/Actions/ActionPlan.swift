import VNetModel

/// One change a plan would make, as the operator reads it in the confirmation dialog.
public struct PlannedChange: Hashable, Sendable, CustomStringConvertible {
    /// What part of the node the change touches.
    public enum Area: String, Hashable, Sendable {
        case lease, link, address, route, nat, state
    }

    public enum Operation: String, Hashable, Sendable {
        case add, remove, update, keep
    }

    public var operation: Operation
    public var area: Area
    /// The exact object: "10.240.0.12 held by 3f2a/eth0", "veth vn1a2b3c4d5e6f (ifindex 12)".
    public var detail: String

    public init(_ operation: Operation, _ area: Area, _ detail: String) {
        self.operation = operation
        self.area = area
        self.detail = detail
    }

    public var description: String { "\(operation.rawValue) \(area.rawValue) \(detail)" }
}

/// What the target looked like when the plan was made. `perform` compares it with the node again and
/// refuses if anything moved, so a confirmation can never apply to something the operator did not see
/// (btop re-checks the PID it captured when its kill dialog opened for the same reason).
public struct TargetFingerprint: Hashable, Sendable {
    /// The state document's generation at planning time.
    public var stateGeneration: UInt64
    /// Facts about the target, one per line ("lease 10.240.0.12 -> 3f2a/eth0", "veth vn.. ifindex 12").
    public var facts: [String]

    public init(stateGeneration: UInt64, facts: [String]) {
        self.stateGeneration = stateGeneration
        self.facts = facts
    }
}

/// A change the console may make, computed before anything is touched and shown in full.
public struct ActionPlan: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case attach, detach, reclaim
    }

    public var kind: Kind
    /// One line: "Detach default/web-1 (3f2a9c/eth0, 10.240.0.12)".
    public var summary: String
    public var changes: [PlannedChange]
    /// Things the operator should know before confirming ("the pod's netns still exists").
    public var warnings: [String]
    public var fingerprint: TargetFingerprint

    public init(kind: Kind, summary: String, changes: [PlannedChange], warnings: [String] = [],
                fingerprint: TargetFingerprint) {
        self.kind = kind
        self.summary = summary
        self.changes = changes
        self.warnings = warnings
        self.fingerprint = fingerprint
    }
}
