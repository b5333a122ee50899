#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One change a plan makes to the node, as an operator reads it before confirming.
public struct Change: Codable, Sendable, Hashable, CustomStringConvertible {
    /// What part of the node the change touches.
    public enum Area: String, Codable, Sendable, Hashable { case lease, link, address, route, nat, state, registry }
    public enum Operation: String, Codable, Sendable, Hashable { case add, remove, update }

    public var area: Area
    public var operation: Operation
    /// The exact object, starting with what happens to it: "release 10.240.16.12 held by abc/eth0".
    public var detail: String

    public init(_ area: Area, _ operation: Operation, _ detail: String) {
        self.area = area
        self.operation = operation
        self.detail = detail
    }

    public var description: String { "\(area.rawValue): \(detail)" }
}

/// One thing a plan acts on, captured when the plan was made so that carrying it out can refuse if it
/// changed meanwhile (an address released and reused is never touched).
public struct PlanTarget: Codable, Sendable, Hashable {
    public var key: AttachmentKey?
    public var address: IPv4Address?
    public var hostVeth: String?
    public var netns: String?
    /// The lease's creation time: a reused address has a newer lease.
    public var leaseCreatedAt: Date?
    public var evidence: [LeakEvidence]

    public init(key: AttachmentKey?, address: IPv4Address?, hostVeth: String?, netns: String?, leaseCreatedAt: Date?,
                evidence: [LeakEvidence]) {
        self.key = key
        self.address = address
        self.hostVeth = hostVeth
        self.netns = netns
        self.leaseCreatedAt = leaseCreatedAt
        self.evidence = evidence
    }
}

/// The exact changes an action will make, computed before anything is touched and shown in full (vnetctl
/// prints it, the console's dialog draws it); carrying it out re-checks every target.
public struct ChangePlan: Codable, Sendable, Hashable {
    /// `forgetNode` changes the VNet's registry, not this node: it is carried out by the VNet's operations.
    public enum Action: String, Codable, Sendable, Hashable { case attach, detach, reclaim, forgetNode = "forget-node" }

    public var action: Action
    /// One line: "Detach 3f2a9c/eth0 (10.240.0.12)".
    public var summary: String
    public var targets: [PlanTarget]
    /// Every change to a lease, link, route, NAT element or state record.
    public var changes: [Change]
    /// Targets refused, and why (a live pod without --force).
    public var refusals: [String]
    /// What the operator should know before confirming ("the pod's namespace is alive: it loses its network").
    public var warnings: [String]
    /// The state document's generation when the plan was made: a dialog warns when the node moved since.
    public var stateGeneration: UInt64
    /// What the targets looked like when the plan was made, one line each, as re-checked when carried out.
    public var facts: [String]
    /// For an attach: the request it carries out.
    public var attach: AttachRequest?

    public init(action: Action, summary: String, targets: [PlanTarget] = [], changes: [Change], refusals: [String] = [],
                warnings: [String] = [], stateGeneration: UInt64 = 0, facts: [String] = [], attach: AttachRequest? = nil) {
        self.action = action
        self.summary = summary
        self.targets = targets
        self.changes = changes
        self.refusals = refusals
        self.warnings = warnings
        self.stateGeneration = stateGeneration
        self.facts = facts
        self.attach = attach
    }
}

/// What carrying out a plan did, target by target.
public struct ActionReport: Codable, Sendable, Hashable {
    public var done: [String] = []
    public var skipped: [String] = []
    public var failed: [String] = []

    public init(done: [String] = [], skipped: [String] = [], failed: [String] = []) {
        self.done = done
        self.skipped = skipped
        self.failed = failed
    }

    /// One line for a status bar: "reclaimed 2, skipped 1: ...".
    public func line(verb: String) -> String {
        "\(verb) \(done.count)" + (skipped.isEmpty ? "" : ", skipped \(skipped.joined(separator: "; "))")
            + (failed.isEmpty ? "" : ", failed \(failed.joined(separator: "; "))")
    }
}
