#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetIPAM
import VNetModel
import VNetRegistry

/// The VNet's operations for vnetctl and the console: read the VNet, plan and carry out forget-node. The
/// registry's client stays behind it (front ends never reach an adapter).
public final class VNetSession: Sendable {
    public let settings: RegistrySettings
    /// How long the blocks of a forgotten node cool down (the network's `cooldownSeconds`).
    public let cooldown: Double
    let client: EtcdClient

    /// Call on the thread whose network namespace the registry is reached from (see `EtcdClient.init`).
    public init(settings: RegistrySettings, cooldown: Double?) {
        self.settings = settings
        self.cooldown = cooldown ?? IPAMConfig.defaultCooldown
        client = EtcdClient(endpoints: settings.endpoints)
    }

    /// This node's name in the VNet: `registry.node`, or the host name (as vnetd resolves it).
    public var nodeName: String { settings.node ?? ServedNetwork.hostName() }

    public func status(now: Date = Date()) async throws -> VNetStatus {
        try await VNetReader(client: client, vnet: settings.vnet).status(now: now)
    }

    public func planForget(node: String) async throws -> ChangePlan {
        try await NodeForgetting(client: client, vnet: settings.vnet).plan(node: node, cooldown: cooldown)
    }

    /// Carries out `plan`; the audit record goes under `auditDataDir`, naming `tool` and `command`.
    public func forget(_ plan: ChangePlan, node: String, auditDataDir: String?, network: String, tool: String, command: String) async throws -> String {
        try await NodeForgetting(client: client, vnet: settings.vnet).perform(plan, node: node, cooldown: cooldown, auditDataDir: auditDataDir, network: network,
                                                                             tool: tool, command: command)
    }

    public func shutdown() async { await client.shutdown() }
}
