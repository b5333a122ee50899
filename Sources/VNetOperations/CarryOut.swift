#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetState
import VNetSystem

/// Who asks for a change, for the audit log: the tool ("vnetctl", "vnet-console", "vnetd") and, when it has
/// one, the command line an operator typed.
public struct Caller: Sendable, Hashable {
    public var tool: String
    public var command: String?

    public init(tool: String, command: String? = nil) {
        self.tool = tool
        self.command = command
    }
}

/// What carrying out a plan did.
public struct PlanOutcome: Sendable {
    /// One line for a status bar or a terminal: "detached abc/eth0", "reclaimed 2".
    public var line: String
    public var report: ActionReport
    /// For an attach: what was plugged in.
    public var attachment: Attachment?
}

extension Node {
    /// Carries out a plan made by `planAttach`, `planDetach` or `planReclaim`: the one road every operator's
    /// change takes, from vnetctl or the console. Each target is re-checked first (nothing that moved since
    /// the plan is touched), and the audit log gets one record naming `caller`.
    public func carryOut(_ plan: ChangePlan, force: Bool = false, by caller: Caller) throws(OperationError) -> PlanOutcome {
        let started = MonotonicClock.seconds()
        do throws(OperationError) {
            let outcome = try carryOutAudited(plan, force: force, by: caller)
            event(plan, caller: caller, seconds: MonotonicClock.seconds() - started, failed: !outcome.report.failed.isEmpty, message: outcome.line)
            return outcome
        } catch {
            event(plan, caller: caller, seconds: MonotonicClock.seconds() - started, failed: true, message: error.description)
            throw error
        }
    }

    /// Appends the operation to the network's event log, beside the CNI calls.
    func event(_ plan: ChangePlan, caller: Caller, seconds: Double, failed: Bool, message: String) {
        let key = plan.attach?.key ?? plan.targets.first?.key
        EventLog(directory: store.directory).append(NodeEvent(
            at: Date(), verb: plan.action.rawValue, caller: caller.tool, network: config.network, container: key?.containerID,
            ifname: key?.ifname, pod: plan.attach.map { $0.pod.display }, failed: failed, message: message, seconds: seconds))
    }

    private func carryOutAudited(_ plan: ChangePlan, force: Bool, by caller: Caller) throws(OperationError) -> PlanOutcome {
        let outcome: PlanOutcome
        switch plan.action {
        case .attach:
            guard let request = plan.attach else { throw OperationError(.refused, "the plan names no attachment") }
            let (attachment, note) = try attach(request, planned: plan.targets.first?.address)
            outcome = PlanOutcome(line: "attached \(request.key): \(attachment.allocation.address) via \(attachment.veth.host.name)"
                                      + (note.map { "; \($0)" } ?? ""),
                                  report: ActionReport(done: [request.key.description]), attachment: attachment)
        case .detach:
            guard let target = plan.targets.first, let key = target.key else {
                throw OperationError(.refused, "the plan names no attachment")
            }
            try detach(planned: target)
            outcome = PlanOutcome(line: "detached \(key)", report: ActionReport(done: [key.description]))
        case .reclaim:
            let report = perform(plan, force: force)
            outcome = PlanOutcome(line: report.line(verb: "reclaimed"), report: report)
        case .forgetNode:
            throw OperationError(.refused, "forgetting a node changes the VNet's registry, not this node: carry it out with the VNet's operations")
        }
        audit(caller, command: plan.summary, before: plan.changes.map(\.description).joined(separator: "; "), after: outcome.line)
        return outcome
    }

    /// Appends an audit record for a change made on an operator's behalf.
    func audit(_ caller: Caller, command: String, before: String, after: String) {
        AuditLog.append(dataDir: store.dataDir, tool: caller.tool, network: config.network,
                        command: caller.command ?? command, before: before, after: after)
    }
}
