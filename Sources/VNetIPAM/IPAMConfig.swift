#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetPools

/// The `ipam` object of a network configuration (type `vnet-ipam`), validated.
public struct IPAMConfig: Sendable {
    public static let defaultDataDir = "/var/lib/vnet"
    public static let defaultCooldown: Double = 30
    public static let defaultLockTimeout: Double = 10

    public var dataDir: String
    public var pool: PoolSourceConfig
    public var limits: Limits
    /// Seconds a released address rests before reuse.
    public var cooldown: Double
    /// Seconds to wait for the state lock before failing with "try again later".
    public var lockTimeout: Double
    /// Routes handed to the pod; nil means a default route via the pool's gateway.
    public var routes: [RouteSpec]?
    /// Overrides the pool's DNS.
    public var dns: DNSSettings?
    /// The VNet this network belongs to: an ADD is allowed only within the reservation the node agent was
    /// granted (`GrantedReservation`). nil: the node stands alone, as before.
    public var registry: RegistrySettings?

    public init(dataDir: String = IPAMConfig.defaultDataDir, pool: PoolSourceConfig, limits: Limits = Limits(),
                cooldown: Double = IPAMConfig.defaultCooldown, lockTimeout: Double = IPAMConfig.defaultLockTimeout,
                routes: [RouteSpec]? = nil, dns: DNSSettings? = nil, registry: RegistrySettings? = nil) {
        self.dataDir = dataDir
        self.pool = pool
        self.limits = limits
        self.cooldown = cooldown
        self.lockTimeout = lockTimeout
        self.routes = routes
        self.dns = dns
        self.registry = registry
    }

    /// Reads the `ipam` object; every error names the key and the bad value.
    public static func parse(_ object: [String: JSONValue]) throws(ConfigError) -> IPAMConfig {
        let reader = ConfigReader(object, context: "ipam")
        let dataDir = try reader.string("dataDir") ?? defaultDataDir
        guard dataDir.hasPrefix("/"), !dataDir.split(separator: "/").contains("..") else {
            throw ConfigError("\"ipam.dataDir\" must be an absolute path without \"..\"", details: "found \"\(dataDir)\"")
        }
        guard let poolValue = object["pool"] else { throw ConfigError("\"ipam.pool\" is missing") }
        let pool: PoolSourceConfig
        do { pool = try PoolSourceConfig.parse(poolValue) } catch { throw ConfigError("ipam." + error.message) }
        let limits = Limits(
            maxPodsPerNode: try reader.int("maxPodsPerNode", in: 1...65_536) ?? Limits.defaultMaxPodsPerNode,
            maxPodsPerVNet: try reader.int("maxPodsPerVNet", in: 1...16_777_216) ?? Limits.defaultMaxPodsPerVNet)
        let cooldown = Double(try reader.int("cooldownSeconds", in: 0...86_400) ?? Int(defaultCooldown))
        let lockTimeout = Double(try reader.int("lockTimeoutSeconds", in: 1...600) ?? Int(defaultLockTimeout))
        let routes = try reader.routes("routes")
        var dns: DNSSettings?
        if let dnsReader = try reader.object("dns") {
            dns = DNSSettings(nameservers: try dnsReader.strings("nameservers"), domain: try dnsReader.string("domain"),
                              search: try dnsReader.strings("search"), options: try dnsReader.strings("options"))
        }
        let registry = try RegistrySettings.parse(reader)
        if pool.isVNetBlocks && registry == nil {
            throw ConfigError("\"ipam.registry\" is missing: pool source \"vnet\" claims address blocks in the VNet's registry")
        }
        return IPAMConfig(dataDir: dataDir, pool: pool, limits: limits, cooldown: cooldown, lockTimeout: lockTimeout,
                          routes: routes, dns: dns, registry: registry)
    }
}
