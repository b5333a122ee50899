#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CNI
import VNetIPAM
import VNetModel
import VNetState
import VNetSystem

/// `vnet-ipam`: the node pool as a CNI IPAM plugin, usable under vnet and under the reference bridge plugin.
public struct VNetIPAMPlugin: CNIPlugin {
    public let about = "vnet-ipam CNI plugin"
    /// Recorded on leases: "vnet-ipam" when run as its own binary, "vnet" when vnet calls it in-process.
    public let owner: String

    public init(owner: String = "vnet-ipam") { self.owner = owner }

    /// The IPAM service of the call's network, from the `ipam` object.
    public func service(for call: CNICall) throws(CNIError) -> IPAMService {
        guard let value = call.config["ipam"] else { throw CNIError(.invalidConfig, "network configuration has no \"ipam\" object") }
        guard let object = value.objectValue else {
            throw CNIError(.invalidConfig, "\"ipam\" must be an object", details: "found \(value.typeName)")
        }
        let config: IPAMConfig
        do { config = try IPAMConfig.parse(object) } catch { throw CNIError(error) }
        do { return try IPAMService(network: call.config.name, config: config) } catch { throw CNIError(error) }
    }

    /// The address the runtime asked for: CNI_ARGS `IP`, runtimeConfig `ips`, or args `cni.ips`.
    public static func requestedAddress(_ call: CNICall) throws(CNIError) -> IPv4Address? {
        var candidates: [String] = []
        if let ip = call.environment.args["IP"] { candidates.append(ip) }
        if let ips = call.config["runtimeConfig"]?["ips"]?.arrayValue { candidates += ips.compactMap(\.stringValue) }
        if let ips = call.config["args"]?["cni"]?["ips"]?.arrayValue { candidates += ips.compactMap(\.stringValue) }
        for text in candidates where !text.contains(":") {
            let bare = text.split(separator: "/").first.map(String.init) ?? text
            guard let address = IPv4Address(bare) else {
                throw CNIError(.invalidConfig, "requested address \"\(text)\" is not an IPv4 address")
            }
            return address
        }
        return nil
    }

    public func allocate(_ call: CNICall) throws(CNIError) -> IPAMAllocation {
        let service = try service(for: call)
        let request = AttachRequest(key: call.key, netns: call.environment.netns, pod: call.pod,
                                    requested: try Self.requestedAddress(call), owner: owner)
        service.store.recordConfig(call.config.recordable)
        do { return try service.allocate(request) } catch { throw CNIError(error) }
    }

    public func add(_ call: CNICall) throws(CNIError) -> CNIResult {
        Self.result(try allocate(call), interface: nil)
    }

    /// The IPAM part of a result; `interface` indexes the pod interface when a network plugin adds interfaces.
    public static func result(_ allocation: IPAMAllocation, interface: Int?) -> CNIResult {
        CNIResult(ips: [.init(address: allocation.address, gateway: allocation.gateway, interface: interface)],
                  routes: allocation.routes,
                  dns: allocation.dns)
    }

    public func del(_ call: CNICall) throws(CNIError) {
        let service = try service(for: call)
        do { try service.release(call.key) } catch { throw CNIError(error) }
    }

    public func check(_ call: CNICall) throws(CNIError) {
        let service = try service(for: call)
        let expected = try call.config.previousResult()?.ips.first?.address.address
        do { _ = try service.check(call.key, expected: expected) } catch { throw CNIError(error) }
    }

    public func status(_ call: CNICall) throws(CNIError) {
        let service = try service(for: call)
        do {
            _ = try service.status()
        } catch {
            let inner = CNIError(error)
            throw CNIError(.notAvailable, "vnet-ipam cannot serve an address now", details: inner.msg)
        }
    }

    public func record(_ call: CNICall, seconds: Double, error: CNIError?) {
        Self.record(call, dataDir: Self.dataDir(call), seconds: seconds, error: error, plugin: "vnet-ipam")
    }

    /// vnet-ipam's data directory for the call: `ipam.dataDir`, as `IPAMConfig` reads it.
    public static func dataDir(_ call: CNICall) -> String {
        call.config["ipam"]?["dataDir"]?.stringValue ?? IPAMConfig.defaultDataDir
    }

    /// Records a call's latency, and the call as an event, in the network's directory under `dataDir`, which
    /// must be the recording plugin's own (each plugin writes only its own directory), when the state store
    /// accepts it. A STATUS that succeeds is no event: runtimes ask it every few seconds.
    public static func record(_ call: CNICall, dataDir: String, seconds: Double, error: CNIError?, plugin: String) {
        // Only into a directory the state store accepts (exists, not a symlink, not writable by others).
        guard dataDir.hasPrefix("/"), let store = try? StateStore(dataDir: dataDir, network: call.config.name, create: false),
              Files.exists(store.directory) else { return }
        let verb = call.environment.command.rawValue
        CallMetrics.append(directory: store.directory, verb: "\(plugin) \(verb)", seconds: seconds, ok: error == nil)
        guard error != nil || call.environment.command != .status else { return }
        let pod = call.pod
        EventLog(directory: store.directory).append(NodeEvent(
            at: Date(), verb: verb, caller: plugin, network: call.config.name,
            container: call.environment.containerID.isEmpty ? nil : call.environment.containerID,
            ifname: call.environment.ifname.isEmpty ? nil : call.environment.ifname, pod: pod.namespace.flatMap { ns in pod.name.map { "\(ns)/\($0)" } },
            failed: error != nil, code: error?.code, message: error?.msg, details: error?.details, seconds: seconds))
    }

    public func gc(_ call: CNICall) throws(CNIError) {
        let service = try service(for: call)
        let valid = try call.config.validAttachments()
        do { _ = try service.collectGarbage(valid: valid) } catch { throw CNIError(error) }
    }
}
