import VNetIPAM
import VNetModel
import VNetOperations
import VNetSystem

#if canImport(Glibc)
import Glibc
#endif

/// A network the node agent serves: one whose `ipam` names a VNet registry, with the node it runs on.
public struct ServedNetwork: @unchecked Sendable {
    public let network: String
    public let settings: RegistrySettings
    /// The node's name in the VNet (`registry.node`, or the host name).
    public let nodeName: String
    /// `maxPodsPerVNet` of this node's configuration: recorded as the VNet's limit if it has none yet.
    public let vnetLimit: Int
    public let node: Node
    public let ipam: IPAMService
    /// The plugin's configuration as given, recorded in the state directory so vnetctl finds the registry
    /// before the first ADD.
    public let pluginConfig: [UInt8]

    public var directory: String { ipam.store.directory }

    /// The networks of `bytes` (a conflist, or a single network configuration) that have a registry.
    public static func load(configuration bytes: [UInt8]) throws -> [ServedNetwork] {
        guard let root = (try? JSONParser.parse(bytes))?.objectValue else { throw ConfigError("the configuration is not a JSON object") }
        guard let name = root["name"]?.stringValue, !name.isEmpty else { throw ConfigError("\"name\" is missing") }
        let plugins = root["plugins"]?.arrayValue?.compactMap(\.objectValue) ?? [root]
        var served: [ServedNetwork] = []
        for var plugin in plugins {
            guard let ipamObject = plugin["ipam"]?.objectValue, ipamObject["registry"] != nil else { continue }
            plugin["name"] = .string(name)
            if plugin["cniVersion"] == nil, let version = root["cniVersion"] { plugin["cniVersion"] = version }
            let (node, ipam) = try NodeAssembly.configured(network: name, plugin: plugin)
            guard let ipam, let settings = ipam.config.registry else {
                throw ConfigError("network \(name): a registry needs \"ipam.type\" vnet-ipam")
            }
            served.append(ServedNetwork(network: name, settings: settings, nodeName: settings.node ?? hostName(),
                                        vnetLimit: ipam.config.limits.maxPodsPerVNet, node: node, ipam: ipam,
                                        pluginConfig: JSONWriter.bytes(.object(plugin))))
        }
        return served
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return RegistryKeys.isValidName(name) ? name : "localhost"
    }
}
