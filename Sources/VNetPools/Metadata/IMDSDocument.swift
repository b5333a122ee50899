#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The instance metadata service's network document (`/metadata/instance/network`):
///
///     {"interface": [{"macAddress": "000D3AF806EC",
///                     "ipv4": {"ipAddress": [{"privateIpAddress": "10.240.0.4", "publicIpAddress": ""}, ...],
///                              "subnet": [{"address": "10.240.0.0", "prefix": "16"}]}}]}
///
/// IMDS has no primary flags: the first interface is the VM's primary NIC and the first address of an
/// interface is its primary IP configuration. Extra fields (ipv6, publicIpAddress) are ignored.
public enum IMDSDocument {
    static let source = "imds"

    public static func parse(_ text: String) throws(PoolDocumentError) -> [MetadataInterface] {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(PoolDocumentError) -> [MetadataInterface] {
        let network: Network
        do {
            network = try JSONDecoder().decode(Network.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw PoolDocumentError(source: source, reason: describe(error))
        } catch {
            throw PoolDocumentError(source: source, reason: "\(error)")
        }
        var interfaces: [MetadataInterface] = []
        for (position, interface) in network.interface.enumerated() {
            let subnetPrefixes = try (interface.ipv4?.subnet ?? []).map { subnet throws(PoolDocumentError) in
                guard let address = IPv4Address(subnet.address), let length = Int(subnet.prefix.text), (0...32).contains(length) else {
                    throw PoolDocumentError(source: source,
                                            reason: "subnet \"\(subnet.address)/\(subnet.prefix.text)\" of \(interface.macAddress) is not an IPv4 prefix")
                }
                return IPv4Prefix(address: address, length: length)
            }
            var subnets = subnetPrefixes.map { MetadataInterface.Subnet(prefix: $0, addresses: []) }
            for (index, entry) in (interface.ipv4?.ipAddress ?? []).enumerated() {
                guard let address = IPv4Address(entry.privateIpAddress) else {
                    throw PoolDocumentError(source: source,
                                            reason: "privateIpAddress \"\(entry.privateIpAddress)\" of \(interface.macAddress) is not an IPv4 address")
                }
                guard let slot = subnets.firstIndex(where: { $0.prefix.contains(address) }) else {
                    throw PoolDocumentError(source: source, reason: "privateIpAddress \(address) of \(interface.macAddress) is in none of its subnets")
                }
                subnets[slot].addresses.append(.init(address, isPrimary: index == 0))
            }
            interfaces.append(MetadataInterface(macAddress: interface.macAddress, isPrimary: position == 0, subnets: subnets))
        }
        return interfaces
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "" : "at \(keys.hasPrefix(".") ? String(keys.dropFirst()) : keys): "
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context))missing key \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return path(context) + context.debugDescription
        case .dataCorrupted(let context): return "not valid JSON: " + path(context) + context.debugDescription
        @unknown default: return "\(error)"
        }
    }

    // The subset of the document vnet reads.
    struct Network: Decodable { var interface: [Interface] }
    struct Interface: Decodable {
        var macAddress: String
        var ipv4: IPv4?
    }
    struct IPv4: Decodable {
        var ipAddress: [Address]?
        var subnet: [Subnet]?
    }
    struct Address: Decodable { var privateIpAddress: String }
    struct Subnet: Decodable {
        var address: String
        var prefix: PrefixLength
    }

    /// IMDS writes the prefix length as a string ("16"); a number is accepted too.
    struct PrefixLength: Decodable {
        var text: String
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) { text = String(number) } else { text = try container.decode(String.self) }
        }
    }
}
