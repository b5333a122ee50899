#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Where the node's assignable addresses come from: the `pool` object of the IPAM configuration.
///
///     {"source": "static", "subnet": "10.240.0.0/16", "gateway": "10.240.0.1", "addresses": [...], "exclude": [...]}
///     {"source": "file", "path": "/etc/vnet/pool.json"}
///     {"source": "wireserver", "url": "http://168.63.129.16/machine/plugins?comp=nmagent&type=getinterfaceinfov1",
///      "macAddress": "002248263DBD", "cacheTTLSeconds": 300}
///     {"source": "imds", "url": "http://169.254.169.254/metadata/instance/network?api-version=2021-02-01"}
///     {"source": "vnet", "subnet": "10.240.0.0/16", "gateway": "10.240.0.1", "blockSize": 16, "warmAddresses": 16}
///
/// Every source also takes `dns` and `exclude`, applied on top of what the source says, and the metadata
/// sources take `cacheTTLSeconds` and `timeoutMilliseconds`. Unknown keys are ignored, like the rest of a
/// CNI configuration. Decoding validates everything that can be checked without I/O.
public struct PoolSourceConfig: Decodable, Hashable, Sendable {
    public enum Source: Hashable, Sendable {
        /// The addresses are in the configuration (`exclude` and `dns` live on the config, not here).
        case `static`(PoolDefinition)
        /// A JSON file with the static fields, read on every load (a node agent may rewrite it).
        case file(path: String)
        /// The Azure host agent's XML interface list.
        case wireserver(MetadataEndpoint)
        /// The instance metadata service's network JSON.
        case imds(MetadataEndpoint)
        /// Blocks of a VNet subnet claimed by vnetd, read from the pool document it writes.
        case vnet(VNetPoolSpec)
    }

    /// A metadata service and the interface to read from it.
    public struct MetadataEndpoint: Hashable, Sendable {
        public var url: HTTPURL
        /// The interface whose addresses form the pool; nil means the VM's primary interface.
        public var macAddress: MACAddress?

        public init(url: HTTPURL, macAddress: MACAddress? = nil) {
            self.url = url
            self.macAddress = macAddress
        }
    }

    public static let defaultCacheTTLSeconds = 300
    public static let defaultTimeoutMilliseconds = 2_000
    public static let defaultWireserverURL = "http://168.63.129.16/machine/plugins?comp=nmagent&type=getinterfaceinfov1"
    public static let defaultIMDSURL = "http://169.254.169.254/metadata/instance/network?api-version=2021-02-01"
    /// Azure's virtual DNS, handed to pods when a metadata source is used and no `dns` is configured.
    public static let azureDNS = "168.63.129.16"

    public var source: Source
    /// How long a metadata answer is used without asking again; 0 asks on every load.
    public var cacheTTLSeconds: Int
    /// The deadline of one metadata request (connect, send, receive).
    public var timeoutMilliseconds: Int
    /// Overrides the source's DNS.
    public var dns: DNSSettings?
    /// Addresses never handed out, added to the source's own exclusions.
    public var exclude: [String]?

    public init(source: Source, cacheTTLSeconds: Int = PoolSourceConfig.defaultCacheTTLSeconds,
                timeoutMilliseconds: Int = PoolSourceConfig.defaultTimeoutMilliseconds,
                dns: DNSSettings? = nil, exclude: [String]? = nil) {
        self.source = source
        self.cacheTTLSeconds = cacheTTLSeconds
        self.timeoutMilliseconds = timeoutMilliseconds
        self.dns = dns
        self.exclude = exclude
    }

    /// "static", "file", "wireserver", "imds" or "vnet": the `source` key, also shown by vnetctl and the console.
    public var kindName: String {
        switch source {
        case .static: return "static"
        case .file: return "file"
        case .wireserver: return "wireserver"
        case .imds: return "imds"
        case .vnet: return "vnet"
        }
    }

    /// True for the `vnet` source: the addresses are blocks vnetd claims, so the pool is read under the lock.
    public var isVNetBlocks: Bool {
        if case .vnet = source { return true }
        return false
    }

    /// Decodes from any decoder (the IPAM layer uses JSONDecoder); a bad value throws `PoolConfigError`.
    public init(from decoder: Decoder) throws {
        self = try Self.parse(try JSONValue(from: decoder))
    }

    /// Parses the `pool` object's JSON text.
    public static func parse(json bytes: [UInt8]) throws(PoolConfigError) -> PoolSourceConfig {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw PoolConfigError(key: "pool", message: "pool is not valid JSON: \(error)")
        }
        return try parse(value)
    }

    /// Interprets the `pool` object.
    public static func parse(_ value: JSONValue) throws(PoolConfigError) -> PoolSourceConfig {
        guard let object = value.objectValue else {
            throw PoolConfigError(key: "pool", message: "pool must be an object, found \(PoolFieldReader.show(value))")
        }
        let reader = PoolFieldReader(object) { "pool.\($0)" }
        guard let kind = try reader.string("source") else {
            throw reader.fail("source", "is missing (one of static, file, wireserver, imds, vnet)")
        }
        let source: Source
        switch kind {
        case "static":
            var definition = try reader.staticFields(for: "the static source")
            definition.exclude = nil  // read below as the config's, like every source's
            definition.dns = nil
            source = .static(definition)
        case "file":
            let path = try reader.requiredString("path", for: "the file source")
            guard path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw reader.fail("path", "\"\(path)\" must be an absolute path without \"..\"")
            }
            source = .file(path: path)
        case "wireserver", "imds":
            let text = try reader.string("url") ?? (kind == "imds" ? defaultIMDSURL : defaultWireserverURL)
            let url: HTTPURL
            do { url = try HTTPURL(parsing: text) } catch {
                guard case .invalidURL(_, let reason) = error else { throw reader.fail("url", "\"\(text)\" is invalid") }
                throw reader.fail("url", "\"\(text)\" is not supported: \(reason)")
            }
            var mac: MACAddress?
            if let macText = try reader.string("macAddress"), !macText.isEmpty {
                guard let parsed = MACAddress(macText) else {
                    throw reader.fail("macAddress", "\"\(macText)\" is not a MAC address (12 hex digits, separators optional)")
                }
                mac = parsed
            }
            let endpoint = MetadataEndpoint(url: url, macAddress: mac)
            source = kind == "imds" ? .imds(endpoint) : .wireserver(endpoint)
        case "vnet":
            source = .vnet(try VNetPoolSpec.parse(reader))
        default:
            throw reader.fail("source", "\"\(kind)\" is not a known source (static, file, wireserver, imds or vnet)")
        }
        return PoolSourceConfig(
            source: source,
            cacheTTLSeconds: try reader.int("cacheTTLSeconds", in: 0...604_800) ?? defaultCacheTTLSeconds,
            timeoutMilliseconds: try reader.int("timeoutMilliseconds", in: 1...60_000) ?? defaultTimeoutMilliseconds,
            dns: try reader.dns("dns"),
            exclude: try reader.ranges("exclude"))
    }
}
