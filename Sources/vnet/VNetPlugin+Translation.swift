import CNI
import VNetModel
import VNetOperations

/// What an ADD asks of the node's translations: the pod's public IP and its host ports (docs/configuration.md).
extension VNetPlugin {
    /// - the public IP: CNI_ARGS `VNET_PUBLIC_IP`, else the `publicIPs` entry naming the pod
    ///   (K8S_POD_NAMESPACE/K8S_POD_NAME); refused (code 7) inside the VNet's own ranges (`vnet`);
    /// - host ports: `runtimeConfig.portMappings`, read only when the plugin declares the capability
    ///   (`"capabilities": {"portMappings": true}`), as a runtime passes them only then.
    /// Both need `snat` (the chains that translate them exist only then): code 7 otherwise.
    static func translation(_ call: CNICall, config: NodeConfig, vnet: [IPv4Prefix]) throws(ConfigError)
        -> (publicIP: IPv4Address?, portMappings: [PortMapping]) {
        let raw = call.config.raw
        var publicIP: IPv4Address?
        let assignments = try PublicIPAssignment.parse(raw["publicIPs"], virtualNetwork: vnet)
        if let namespace = call.pod.namespace, let name = call.pod.name {
            publicIP = assignments.first { $0.pod == "\(namespace)/\(name)" }?.address
        }
        if let text = call.environment.args["VNET_PUBLIC_IP"] {
            guard let address = IPv4Address(text) else { throw ConfigError("CNI_ARGS VNET_PUBLIC_IP \"\(text)\" is not an IPv4 address") }
            if let range = vnet.first(where: { $0.contains(address) }) {
                throw ConfigError("CNI_ARGS VNET_PUBLIC_IP \(address) is inside the VNet's own range \(range.network)/\(range.length); "
                    + "a public IP must lie outside vnetCIDRs and nonMasqueradeCIDRs")
            }
            if let holder = assignments.first(where: { $0.address == address }),
               holder.pod != [call.pod.namespace ?? "", call.pod.name ?? ""].joined(separator: "/") {
                throw ConfigError("CNI_ARGS VNET_PUBLIC_IP \(address) is given to \(holder.pod) by \"publicIPs\"")
            }
            publicIP = address
        }
        var portMappings: [PortMapping] = []
        if raw["capabilities"]?["portMappings"] == .bool(true) {
            portMappings = try PortMapping.parse(raw["runtimeConfig"]?["portMappings"])
        }
        if !config.snat && (publicIP != nil || !portMappings.isEmpty) {
            throw ConfigError("\"snat\" is false, so the node translates nothing: a public IP or host ports need \"snat\": true")
        }
        return (publicIP, portMappings)
    }
}
