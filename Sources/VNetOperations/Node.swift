#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetIPAM
import VNetModel
import VNetState

/// One network on one node, with the adapters the operations act through.
public struct Node {
    public let config: NodeConfig
    public let kernel: any NodeKernel
    public let nat: any NodeNAT
    public let addresses: any AddressProvider
    /// Where endpoints are recorded (the IPAM's store when vnet-ipam runs in-process).
    public let store: StateStore
    public let lockTimeout: Double

    public init(config: NodeConfig, kernel: any NodeKernel, nat: any NodeNAT, addresses: any AddressProvider,
                store: StateStore, lockTimeout: Double = IPAMConfig.defaultLockTimeout) {
        self.config = config
        self.kernel = kernel
        self.nat = nat
        self.addresses = addresses
        self.store = store
        self.lockTimeout = lockTimeout
    }

    /// Records the network configuration the plugin runs with (when it changed), so vnetctl and the console
    /// need no conflist. The ADD records it: every pod was added with the configuration in force.
    public func recordConfiguration(_ bytes: [UInt8]) { store.recordConfig(bytes) }

    /// The plugins' own call counts and latencies, kept beside the state.
    public func callMetrics() -> CallMetrics { CallMetrics.load(directory: store.directory) }

    public func hostVeth(for key: AttachmentKey) -> String { HostVethName.make(network: config.network, key: key) }

    /// The NAT the node needs, given the pool's subnet and gateway.
    func natConfig(subnet: IPv4Prefix, gateway: IPv4Address) throws -> NATConfig {
        let snatAddress: IPv4Address
        if let configured = config.snatAddress {
            snatAddress = configured
        } else if let found = try kernel.sourceAddress(towards: gateway) {
            snatAddress = found
        } else {
            throw OperationError(.nat, "the node has no route to the gateway \(gateway), so it has no primary address to SNAT to; set \"snatAddress\"")
        }
        let (vnet, other) = config.keptRanges(subnet: subnet)
        let security = config.securityRules.map {
            SecurityPolicy(rules: $0, context: RuleContext(virtualNetwork: vnet + other, nodeAddresses: [snatAddress]))
        }
        return NATConfig(tableName: config.natTable, snatAddress: snatAddress, vnetCIDRs: vnet, nonMasqueradeCIDRs: other,
                         snat: config.snat, security: security)
    }

    /// The pods recorded in the state: what a rebuilt NAT table must hold.
    func recordedPods() -> [NATPod] {
        ((try? store.load())?.endpoints ?? []).map(NATPod.init)
    }
}
