#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetIPAM
import VNetModel
import VNetState
import VNetSystem

/// Builds a `Node` with the real adapters: netlink for links, nftables for NAT.
public enum NodeAssembly {
    public static func make(config: NodeConfig, addresses: any AddressProvider, store: StateStore,
                            lockTimeout: Double) throws -> Node {
        Node(config: config, kernel: try NetlinkKernel(), nat: NftablesNAT(table: config.natTable), addresses: addresses,
             store: store, lockTimeout: lockTimeout)
    }

    /// The node a `vnet` CNI call acts on, with vnet-ipam in-process (one store for leases and endpoints).
    public static func plugin(config: NodeConfig, ipam service: IPAMService) throws(OperationError) -> Node {
        try opened(config: config, addresses: InProcessAddresses(service: service), store: service.store,
                   lockTimeout: service.config.lockTimeout)
    }

    /// The node a `vnet` CNI call acts on, its addresses from another IPAM plugin: vnet's endpoints are kept
    /// under `dataDir`, vnet's own, never the IPAM plugin's.
    public static func plugin(config: NodeConfig, dataDir: String, delegatingTo plugin: any IPAMPluginCalls) throws(OperationError) -> Node {
        let store: StateStore
        do { store = try StateStore(dataDir: dataDir, network: config.network) } catch { throw OperationError.wrap(error, step: "") }
        return try opened(config: config, addresses: DelegatedAddresses(plugin: plugin, store: store), store: store,
                          lockTimeout: IPAMConfig.defaultLockTimeout)
    }

    private static func opened(config: NodeConfig, addresses: any AddressProvider, store: StateStore,
                               lockTimeout: Double) throws(OperationError) -> Node {
        do {
            return try make(config: config, addresses: addresses, store: store, lockTimeout: lockTimeout)
        } catch {
            throw OperationError(.kernel, "cannot open the node's netlink or nftables: \(error)")
        }
    }

    /// Moves this process into the named network namespace (the node's) for the rest of its life: for a
    /// tool that acts on one node for its whole run. Call it before starting threads.
    public static func enterNetworkNamespace(named name: String) throws {
        try NetworkNamespace(named: name).enter()
    }

    /// The network to act on: `requested`, or the only one recorded under `stateDir`.
    public static func chooseNetwork(stateDir: String, requested: String?) throws -> String {
        if let requested { return requested }
        let candidates = Files.list(stateDir).filter {
            StateStore.isValidNetworkName($0) && (Files.exists("\(stateDir)/\($0)/config.json")
                || Files.exists("\(stateDir)/\($0)/state.json") || Files.exists("\(stateDir)/\($0)/state.json.prev"))
        }
        if candidates.count == 1 { return candidates[0] }
        if candidates.isEmpty { throw RecordedConfigError(description: "no vnet network under \(stateDir)") }
        throw RecordedConfigError(description: "several networks under \(stateDir): \(candidates.joined(separator: ", ")); choose one with --network")
    }

    /// A failure to find or read the network's recorded configuration.
    public struct RecordedConfigError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The node as the plugins last configured it, from `<stateDir>/<network>/config.json`: what vnetctl and
    /// the console act on, without a conflist. The IPAM's dataDir is replaced by `stateDir`.
    public static func recorded(stateDir: String, network: String) throws -> (node: Node, ipam: IPAMService?) {
        let store = try StateStore(dataDir: stateDir, network: network, create: false)
        guard let bytes = store.recordedConfig() else {
            throw RecordedConfigError(description: "no recorded configuration at \(store.configPath): the vnet plugin writes it on its first ADD")
        }
        guard let object = (try? JSONParser.parse(bytes))?.objectValue else {
            throw RecordedConfigError(description: "\(store.configPath) is not a JSON object")
        }
        return try configured(network: network, plugin: object, stateDir: stateDir)
    }

    /// The vnet plugin's entry for `network` in the file at `path` (a conflist, or a single network
    /// configuration), with the network's name and cniVersion, as the plugin would record it.
    public static func pluginConfiguration(file path: String, network: String) throws -> (bytes: [UInt8], object: [String: JSONValue]) {
        guard let bytes = try Files.read(path) else { throw RecordedConfigError(description: "\(path) does not exist") }
        guard let root = (try? JSONParser.parse(bytes))?.objectValue else { throw RecordedConfigError(description: "\(path) is not a JSON object") }
        guard root["name"]?.stringValue == network else {
            throw RecordedConfigError(description: "\(path) configures network \(root["name"]?.stringValue ?? "(no name)"), not \(network)")
        }
        let plugins = root["plugins"]?.arrayValue?.compactMap(\.objectValue) ?? [root]
        guard var plugin = plugins.first(where: { $0["type"]?.stringValue == "vnet" }) else {
            throw RecordedConfigError(description: "\(path) has no plugin of type vnet")
        }
        plugin["name"] = .string(network)
        if plugin["cniVersion"] == nil, let version = root["cniVersion"] { plugin["cniVersion"] = version }
        return (JSONWriter.bytes(.object(plugin)), plugin)
    }

    /// The node a network's plugin configuration describes (one entry of a conflist, or a single network
    /// configuration): what vnetd serves. With `stateDir`, the IPAM's dataDir is replaced by it.
    public static func configured(network: String, plugin object: [String: JSONValue], stateDir: String? = nil) throws -> (node: Node, ipam: IPAMService?) {
        var config: NodeConfig
        if object["type"]?.stringValue == "vnet" {
            config = try NodeConfig.parse(network: network, object)
        } else {
            // vnet-ipam under another network plugin: no bridge or NAT of ours to show.
            config = NodeConfig(network: network, bridge: object["bridge"]?.stringValue ?? NodeConfig.defaultBridge)
            config.ipamType = object["ipam"]?["type"]?.stringValue ?? "vnet-ipam"
        }
        var ipam: IPAMService?
        if let ipamObject = object["ipam"]?.objectValue, ipamObject["type"]?.stringValue == "vnet-ipam" {
            var ipamConfig = try IPAMConfig.parse(ipamObject)
            if let stateDir { ipamConfig.dataDir = stateDir }
            ipam = try IPAMService(network: network, config: ipamConfig)
        }
        let store = try ipam?.store ?? StateStore(dataDir: stateDir ?? IPAMConfig.defaultDataDir, network: network)
        let addresses: any AddressProvider = ipam.map { InProcessAddresses(service: $0) } ?? UnavailableAddresses(type: config.ipamType)
        let node = try make(config: config, addresses: addresses, store: store, lockTimeout: ipam?.config.lockTimeout ?? IPAMConfig.defaultLockTimeout)
        return (node, ipam)
    }
}

/// Address operations for a network whose IPAM plugin cannot run outside a CNI call.
struct UnavailableAddresses: AddressProvider {
    var type: String

    struct Unsupported: Error, CustomStringConvertible {
        var description: String
    }

    func fail() -> Unsupported { Unsupported(description: "IPAM \(type) runs only inside CNI calls; this needs vnet-ipam") }
    func acquire(_ request: AttachRequest, endpoint: @escaping (IPAMAllocation) -> Endpoint) throws -> IPAMAllocation { throw fail() }
    func release(_ key: AttachmentKey) throws { throw fail() }
    func check(_ key: AttachmentKey, expected: IPv4Address?) throws { throw fail() }
    func status() throws { throw fail() }
    func collectGarbage(valid: Set<AttachmentKey>) throws { throw fail() }
}
