#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetConsole
import VNetModel
import VNetOperations
import VNetState

/// The console's data: a snapshot from the operations layer on every refresh.
struct InspectorSource: SnapshotSource {
    let inspector: NodeInspector
    func snapshot() throws -> NodeSnapshot { inspector.snapshot() }
}

/// The console's changes, carried out by the operations layer (the code the plugin and vnetctl run).
/// Each plan keeps what it captured when the dialog opened; `perform` acts on exactly that, re-checked.
final class OperationsActions: ConsoleActions {
    let node: Node
    let stateDir: String
    private var captured: [ActionPlan: Captured] = [:]

    enum Captured {
        case attach(AttachRequest)
        case detach(ReclaimTarget)
        case reclaim(ChangePlan)
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    init(node: Node, stateDir: String) {
        self.node = node
        self.stateDir = stateDir
    }

    private var generation: UInt64 { (try? node.store.load().generation) ?? 0 }

    private static func consoleChanges(_ changes: [Change]) -> [PlannedChange] {
        changes.map { change in
            PlannedChange(PlannedChange.Operation(rawValue: change.operation.rawValue) ?? .update,
                          PlannedChange.Area(rawValue: change.area.rawValue) ?? .state, change.detail)
        }
    }

    private func remember(_ plan: ActionPlan, _ capture: Captured) -> ActionPlan {
        captured[plan] = capture
        return plan
    }

    func planAttach(_ request: ConsoleAttachRequest) throws -> ActionPlan {
        let path = request.netns.contains("/") ? request.netns : "/var/run/netns/" + request.netns
        let attach = AttachRequest(key: request.key, netns: path, pod: request.pod)
        let plan = try node.planAttach(attach)
        return remember(ActionPlan(kind: .attach, summary: "Attach \(path) as \(request.key) (\(request.pod.display))",
                                   changes: Self.consoleChanges(plan.changes),
                                   fingerprint: TargetFingerprint(stateGeneration: generation, facts: ["netns \(path)"])),
                        .attach(attach))
    }

    func planDetach(_ key: AttachmentKey) throws -> ActionPlan {
        let (plan, target) = try node.planDetach(key)
        var warnings: [String] = []
        if let netns = target.netns, node.kernel.namespacePath(netns) != .missing {
            warnings.append("the pod's namespace \(netns) is alive: it loses its network")
        }
        let facts = ["lease \(target.address?.description ?? "-") -> \(key)", "veth \(target.hostVeth ?? "-")"]
        return remember(ActionPlan(kind: .detach, summary: "Detach \(key) (\(target.address?.description ?? "no address"))",
                                   changes: Self.consoleChanges(plan.changes), warnings: warnings,
                                   fingerprint: TargetFingerprint(stateGeneration: generation, facts: facts)),
                        .detach(target))
    }

    func planReclaim(_ addresses: [IPv4Address]) throws -> ActionPlan {
        let plan = try node.planReclaim(addresses: addresses, force: false)
        guard !plan.targets.isEmpty else {
            throw Refused(description: plan.refusals.isEmpty ? "nothing to reclaim" : plan.refusals.joined(separator: "; "))
        }
        let facts = plan.targets.map { "\($0.address?.description ?? $0.hostVeth ?? "?") \($0.evidence.map(\.rawValue).joined(separator: ","))" }
        return remember(ActionPlan(kind: .reclaim, summary: "Reclaim \(plan.targets.count) leaked address(es)",
                                   changes: Self.consoleChanges(plan.changes), warnings: plan.refusals,
                                   fingerprint: TargetFingerprint(stateGeneration: generation, facts: facts)),
                        .reclaim(plan))
    }

    func perform(_ plan: ActionPlan) throws -> String {
        guard let capture = captured.removeValue(forKey: plan) else {
            throw Refused(description: "this plan was not made here or was already used; nothing was done")
        }
        let before = plan.changes.map(\.description).joined(separator: "; ")
        let result: String
        switch capture {
        case .attach(let request):
            let attachment = try node.attach(request)
            result = "attached \(request.key): \(attachment.allocation.address) via \(attachment.veth.host.name)"
        case .detach(let target):
            try node.detach(planned: target)
            result = "detached \(target.key?.description ?? "?")"
        case .reclaim(let changePlan):
            let report = node.perform(changePlan, force: false)
            result = "reclaimed \(report.done.count)" + (report.skipped.isEmpty ? "" : ", skipped \(report.skipped.joined(separator: "; "))")
                + (report.failed.isEmpty ? "" : ", failed \(report.failed.joined(separator: "; "))")
        }
        AuditLog.append(dataDir: stateDir, tool: "vnet-console", network: node.config.network, command: plan.summary,
                        before: before, after: result)
        return result
    }
}
