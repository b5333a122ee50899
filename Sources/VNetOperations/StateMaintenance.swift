import VNetIPAM
import VNetModel
import VNetState

/// `vnetctl state check | export | repair`: the durable state of one network, without the node's kernel
/// (a corrupt state must be fixable when nothing else loads).
public struct StateMaintenance {
    let stateDir: String
    let network: String
    let store: StateStore

    public init(stateDir: String, network: String) throws {
        self.stateDir = stateDir
        self.network = network
        store = try StateStore(dataDir: stateDir, network: network, create: false)
    }

    /// nil when the state loads and is consistent, else the problem.
    public func problem() -> String? { store.verify() }

    public func load() throws -> NetworkState { try store.load() }

    /// The state document as it is written.
    public func exported() throws -> [UInt8] { try StateCodec.encode(try store.load()) }

    /// Restores the last good copy (through the network's IPAM, which knows which addresses the lost commit
    /// may have handed out), and writes the audit record naming `caller`.
    public func repair(by caller: Caller) throws -> RepairReport {
        let report: RepairReport
        if let service = try IPAMService.recorded(stateDir: stateDir, network: network) {
            report = try service.repair()
        } else {
            report = try store.repair(lockTimeout: 10) { _, _ in [] }
        }
        AuditLog.append(dataDir: stateDir, tool: caller.tool, network: network, command: caller.command ?? "state repair",
                        before: report.problem ?? "valid", after: report.action)
        return report
    }
}
