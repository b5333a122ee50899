import CNI
import IPAMCNI
import VNetIPAM
import VNetModel
import VNetOperations

/// `vnet`: pods on a Linux bridge over veth pairs, addresses from the node's pool, SNAT beyond the VNet.
struct VNetPlugin: CNIPlugin {
    let about = "vnet CNI plugin"

    /// The node for this call: configuration, adapters, and the address provider (vnet-ipam in-process,
    /// any other IPAM plugin executed from CNI_PATH).
    func node(for call: CNICall) throws(CNIError) -> Node {
        let config: NodeConfig
        do { config = try NodeConfig.parse(network: call.config.name, call.config.raw) } catch { throw CNIError(error) }
        if config.ipamType == "vnet-ipam" {
            let service = try VNetIPAMPlugin(owner: "vnet").service(for: call)
            do { return try NodeAssembly.plugin(config: config, ipam: service) } catch { throw CNIError(error) }
        }
        // Find the IPAM plugin before touching anything, so a wrong type changes nothing.
        _ = try Delegation.locate(config.ipamType, in: call.environment.path)
        do {
            return try NodeAssembly.plugin(config: config, dataDir: Self.dataDir(call),
                                           delegatingTo: DelegatedIPAM(type: config.ipamType, call: call))
        } catch {
            throw CNIError(error)
        }
    }

    func add(_ call: CNICall) throws(CNIError) -> CNIResult {
        let translation: (publicIP: IPv4Address?, portMappings: [PortMapping])
        do {
            // The VNet's ranges as the NAT keeps them: vnetCIDRs (by default the pool's subnet) and nonMasqueradeCIDRs.
            let config = try NodeConfig.parse(network: call.config.name, call.config.raw)
            let subnet = (call.config.raw["ipam"]?["pool"]?["subnet"]?.stringValue).flatMap { IPv4Prefix($0)?.canonical }
            let vnet = (config.vnetCIDRs.isEmpty ? subnet.map { [$0] } ?? [] : config.vnetCIDRs) + config.nonMasqueradeCIDRs
            translation = try Self.translation(call, config: config, vnet: vnet)
        } catch {
            throw CNIError(error)
        }
        let node = try node(for: call)
        node.recordConfiguration(call.config.recordable)
        let request = AttachRequest(key: call.key, netns: call.environment.netns, pod: call.pod,
                                    requested: try VNetIPAMPlugin.requestedAddress(call), publicIP: translation.publicIP,
                                    portMappings: translation.portMappings)
        let attachment: Attachment
        do { attachment = try node.attach(request) } catch { throw CNIError(error) }
        return Self.result(attachment, config: node.config)
    }

    /// interfaces: [bridge, host veth, pod interface (sandbox)]; ips point at the pod interface (index 2).
    static func result(_ attachment: Attachment, config: NodeConfig) -> CNIResult {
        var result = VNetIPAMPlugin.result(attachment.allocation, interface: 2)
        result.interfaces = [
            .init(name: attachment.bridge.name, mac: attachment.bridge.mac),
            .init(name: attachment.veth.host.name, mac: attachment.veth.host.mac),
            .init(name: attachment.podIfname, mac: attachment.veth.peerMAC, mtu: attachment.mtu, sandbox: attachment.netns),
        ]
        result.routes += config.routes.map { RouteSpec(dst: $0.dst, gw: $0.gw ?? attachment.allocation.gateway) }
        if let dns = config.dns { result.dns = dns }
        return result
    }

    func del(_ call: CNICall) throws(CNIError) {
        let node = try node(for: call)
        let hint = (try? call.config.previousResult())??.ips.first?.address.address
        do { try node.detach(call.key, hint: hint) } catch { throw CNIError(error) }
    }

    func check(_ call: CNICall) throws(CNIError) {
        let node = try node(for: call)
        guard let previous = try call.config.previousResult() else {
            throw CNIError(.invalidConfig, "CHECK needs prevResult (the cached ADD result)")
        }
        if !previous.interfaces.contains(where: { $0.sandbox == call.environment.netns && $0.name == call.environment.ifname }) {
            throw CNIError(.checkFailed, "prevResult lists no interface \(call.environment.ifname) in \(call.environment.netns)")
        }
        do {
            try node.check(call.key, netns: call.environment.netns, expected: previous.ips.first?.address.address)
        } catch {
            throw CNIError(error)
        }
    }

    func status(_ call: CNICall) throws(CNIError) {
        let node = try node(for: call)
        do {
            try node.status()
        } catch {
            throw CNIError(.notAvailable, "vnet cannot serve an ADD now", details: CNIError(error).msg)
        }
    }

    /// Into vnet's own state directory (`dataDir(_:)`), beside the state it keeps.
    func record(_ call: CNICall, seconds: Double, error: CNIError?) {
        VNetIPAMPlugin.record(call, dataDir: Self.dataDir(call), seconds: seconds, error: error, plugin: "vnet")
    }

    /// The data directory of vnet's own state for the call: vnet-ipam's when vnet runs it in-process (they
    /// share one store), else the network's `dataDir`. Never a delegated IPAM plugin's `ipam.dataDir`: that
    /// directory is the plugin's alone (host-local keeps its leases and its lock there).
    static func dataDir(_ call: CNICall) -> String {
        let ipamType = call.config["ipam"]?["type"]?.stringValue ?? "vnet-ipam"
        if ipamType == "vnet-ipam" || ipamType.isEmpty { return VNetIPAMPlugin.dataDir(call) }
        return call.config["dataDir"]?.stringValue ?? IPAMConfig.defaultDataDir
    }

    func gc(_ call: CNICall) throws(CNIError) {
        let node = try node(for: call)
        let valid = try call.config.validAttachments()
        let report: GarbageReport
        do { report = try node.collectGarbage(valid: valid) } catch { throw CNIError(error) }
        if !report.failures.isEmpty {
            throw CNIError(.ioFailure, "GC could not remove everything", details: report.failures.joined(separator: "; "))
        }
    }
}
