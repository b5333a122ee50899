import VNetModel
import VNetSystem

/// What vnetd writes for a `vnet` pool: the usable addresses of the blocks the registry says this node owns,
/// in the `file` source's format, replaced whole. vnet-ipam reads it under the state lock, so a block vnetd
/// takes out of it (before giving it back) is out of every ADD that follows.
///
///     {"subnet": "10.240.0.0/16", "gateway": "10.240.0.1", "addresses": ["10.240.1.16-10.240.1.31"],
///      "blocks": ["10.240.1.16/28"], "primaryAddresses": ["10.240.0.4"]}
///
/// When vnetd refuses to serve the network (its subnet overlaps another network's in the VNet), the document
/// says why in `refused`, and every ADD fails with that reason as a configuration error.
public struct VNetPoolDocument: Hashable, Sendable {
    public static let fileName = "vnet-pool.json"

    public var subnet: IPv4Prefix
    public var gateway: IPv4Address
    /// The claimed blocks' usable addresses (a block near the VNet's limit may be partial).
    public var addresses: [AddressRange]
    /// The claimed blocks, for people reading the file.
    public var blocks: [IPv4Prefix]
    /// The node's own addresses: never handed to a pod even when a block holds them.
    public var primaryAddresses: [IPv4Address]
    /// Why the network is not served; nil when it is.
    public var refused: String?

    public init(subnet: IPv4Prefix, gateway: IPv4Address, addresses: [AddressRange] = [], blocks: [IPv4Prefix] = [],
                primaryAddresses: [IPv4Address] = [], refused: String? = nil) {
        self.subnet = subnet
        self.gateway = gateway
        self.addresses = addresses
        self.blocks = blocks
        self.primaryAddresses = primaryAddresses
        self.refused = refused
    }

    public static func path(directory: String) -> String { directory + "/" + fileName }

    public var json: [UInt8] {
        var object: [String: JSONValue] = [
            "subnet": .string(subnet.description), "gateway": .string(gateway.description),
            "addresses": .array(addresses.map { .string($0.description) }),
            "blocks": .array(blocks.map { .string($0.description) }),
            "primaryAddresses": .array(primaryAddresses.map { .string($0.description) }),
        ]
        if let refused { object["refused"] = .string(refused) }
        return JSONWriter.bytes(.object(object))
    }

    /// The blocks the document lists, or nil when there is none (vnetd has not written it) or it is unreadable.
    public static func blocks(directory: String) -> [IPv4Prefix]? {
        guard let bytes = (try? Files.read(path(directory: directory), limit: 1 << 20)) ?? nil,
              let value = try? JSONParser.parse(bytes) else { return nil }
        return (value["blocks"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(IPv4Prefix.init) }
    }

    /// Replaces the document whole: a reader sees the old blocks or the new ones, never a mix.
    public func write(directory: String) throws(SystemError) {
        try Files.replaceAtomically(Self.path(directory: directory), with: json, mode: 0o644, sync: false)
    }
}
