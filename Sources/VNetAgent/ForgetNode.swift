import VNetModel
import VNetRegistry
import VNetState

/// `vnetctl vnet forget-node`: a node whose heartbeat is gone keeps its reservation (its pods may still run,
/// cut off) until an operator says it is gone for good. Planned first, shown, then carried out only if the
/// node is still silent and its reservation unchanged since the plan; audited, naming the caller.
public struct NodeForgetting: Sendable {
    public let reader: VNetReader
    public let quota: QuotaRegistry

    public init(client: EtcdClient, vnet: String) {
        reader = VNetReader(client: client, vnet: vnet)
        quota = QuotaRegistry(client: client, vnet: vnet)
    }

    /// The plan to forget `name`; its refusals say why not (alive, unknown).
    public func plan(node name: String, cooldown: Double) async throws(RegistryError) -> ChangePlan {
        let vnet = try await reader.status()
        var plan = ChangePlan(action: .forgetNode, summary: "Forget node \(name) of VNet \(vnet.vnet)", changes: [])
        guard let node = vnet.node(name) else {
            plan.refusals.append("\(name): no such node in VNet \(vnet.vnet)")
            return plan
        }
        if node.alive {
            plan.refusals.append("\(name): its heartbeat is alive (vnetd runs there); stop it first, or let its lease expire")
            return plan
        }
        let revision = try await quota.read().view.revisions[name] ?? 0
        plan.stateGeneration = UInt64(max(0, revision))
        plan.changes.append(Change(.registry, .remove, "release the \(node.reserved) pods reserved by \(name): the VNet's reserved falls from \(vnet.reserved) to \(vnet.reserved - node.reserved)"))
        plan.changes.append(Change(.registry, .remove, "delete the node record of \(name)"))
        for block in vnet.blocks(of: name) {
            let addresses = block.addresses.map(\.description).joined(separator: ",")
            plan.changes.append(Change(.registry, .remove, "return block \(block.prefix) (\(addresses)) to VNet \(vnet.vnet) after a cooldown of \(Int(cooldown))s"))
        }
        if node.used > 0 {
            plan.warnings.append("\(name) last said it held \(node.used) pods: if it is only cut off, its pods keep their addresses and the VNet can over-commit until it returns")
        }
        plan.facts = ["\(name) reserved \(node.reserved) at revision \(revision), heartbeat \(node.heartbeatAge.map { "\(Int($0))s ago" } ?? "never seen")"]
        return plan
    }

    /// Carries out a plan made by `plan(node:)`; the audit record goes to `auditDataDir` (the node the operator
    /// works from), naming `tool` and `command`.
    public func perform(_ plan: ChangePlan, node name: String, cooldown: Double, auditDataDir: String?, network: String, tool: String,
                        command: String) async throws(RegistryError) -> String {
        guard plan.action == .forgetNode, plan.refusals.isEmpty else { return "nothing to do: " + plan.refusals.joined(separator: "; ") }
        let line: String
        if let released = try await quota.release(node: name, reservationRevision: Int64(plan.stateGeneration), cooldown: cooldown) {
            line = "forgot \(name): \(released) pods returned to VNet \(quota.keys.vnet)"
        } else {
            line = "refused: \(name) came back or its reservation changed since the plan; nothing was done"
        }
        if let auditDataDir {
            AuditLog.append(dataDir: auditDataDir, tool: tool, network: network, command: command,
                            before: plan.changes.map(\.description).joined(separator: "; "), after: line)
        }
        return line
    }
}
