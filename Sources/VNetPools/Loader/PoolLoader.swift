#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetSystem

/// A pool definition and where it came from.
public struct LoadedPool: Hashable, Sendable {
    public var definition: PoolDefinition
    public var info: PoolSourceInfo

    public init(definition: PoolDefinition, info: PoolSourceInfo) {
        self.definition = definition
        self.info = info
    }
}

/// Produces the pool definition of a configured source, asking metadata services at most once per TTL.
///
/// Loading happens before the IPAM takes the state lock (a metadata request may take up to its timeout),
/// so several plugin processes may load at once; each writes the cache atomically and the last one wins,
/// which is harmless since they all wrote an answer of the same source. Validation of the definition
/// (ranges inside the subnet, exclusions, size) is `Pool.init`'s job, done by the caller.
public struct PoolLoader: Sendable {
    /// When to ask a metadata source.
    public enum Policy: Hashable, Sendable {
        /// Use the cache while younger than `cacheTTLSeconds`; past it, ask, and fall back on the cache.
        case whenStale
        /// Ask now whatever the cache's age (`vnetctl pool refresh`); still falls back on the cache.
        case refresh
        /// Never ask: the cache or an error (snapshots that must not do network I/O).
        case cacheOnly
    }

    /// After a failed request, loads within this many seconds (at most the TTL) answer from the cache
    /// without asking: an outage costs one timeout per interval, not one per ADD.
    public static let retryIntervalSeconds: Double = 30

    public let cacheDirectory: String
    /// The instant of this load: TTL decisions and `fetchedAt` use it, so tests control time.
    public let now: Date

    public init(cacheDirectory: String, now: Date = Date()) {
        self.cacheDirectory = cacheDirectory
        self.now = now
    }

    public var cachePath: String { PoolCache(directory: cacheDirectory).path }

    public func load(_ config: PoolSourceConfig, policy: Policy = .whenStale) throws(PoolSourceError) -> LoadedPool {
        switch config.source {
        case .static(let definition):
            return LoadedPool(definition: Self.apply(config, to: definition),
                              info: PoolSourceInfo(kind: config.kindName, fetchedAt: nil, servedFromCache: false))
        case .file(let path):
            return try loadFile(path, config: config)
        case .wireserver(let endpoint), .imds(let endpoint):
            return try loadMetadata(endpoint, config: config, policy: policy)
        case .vnet(let spec):
            return try loadBlocks(spec, config: config)
        }
    }

    /// Asks the source now, ignoring the TTL (the cache still answers if the source fails).
    public func refresh(_ config: PoolSourceConfig) throws(PoolSourceError) -> LoadedPool {
        try load(config, policy: .refresh)
    }

    /// The source's definition with the configuration's exclusions added and its DNS preferred.
    static func apply(_ config: PoolSourceConfig, to definition: PoolDefinition) -> PoolDefinition {
        var result = definition
        let exclude = (definition.exclude ?? []) + (config.exclude ?? [])
        result.exclude = exclude.isEmpty ? nil : exclude
        result.dns = config.dns ?? definition.dns
        return result
    }

    // MARK: File

    private func loadFile(_ path: String, config: PoolSourceConfig) throws(PoolSourceError) -> LoadedPool {
        let bytes: [UInt8]?
        do { bytes = try Files.read(path, limit: 1 << 20) } catch { throw .fileUnreadable(path: path, error) }
        guard let bytes else { throw .fileMissing(path: path) }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw .invalidFile(path: path, reason: "\(path) is not valid JSON: \(error)") }
        guard let object = value.objectValue else {
            throw .invalidFile(path: path, reason: "\(path) must hold a JSON object, found \(PoolFieldReader.show(value))")
        }
        let definition: PoolDefinition
        do {
            definition = try PoolFieldReader(object) { "\(path): \($0)" }.staticFields(for: "a pool file")
        } catch {
            throw .invalidFile(path: path, reason: error.message)
        }
        var modified: Date?
        if let status = try? Files.status(path) {
            modified = Date(timeIntervalSince1970: Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9)
        }
        return LoadedPool(definition: Self.apply(config, to: definition),
                          info: PoolSourceInfo(kind: config.kindName, fetchedAt: modified, servedFromCache: false))
    }

    // MARK: VNet blocks

    /// The blocks vnetd wrote; none yet (a new node, vnetd not started) is an empty pool, which the IPAM
    /// answers by asking vnetd to claim one.
    private func loadBlocks(_ spec: VNetPoolSpec, config: PoolSourceConfig) throws(PoolSourceError) -> LoadedPool {
        let path = VNetPoolDocument.path(directory: cacheDirectory)
        let info = PoolSourceInfo(kind: config.kindName, fetchedAt: nil, servedFromCache: false)
        let empty = PoolDefinition(subnet: spec.subnet, gateway: spec.gateway, addresses: [])
        let bytes: [UInt8]?
        do { bytes = try Files.read(path, limit: 1 << 20) } catch { throw .fileUnreadable(path: path, error) }
        guard let bytes else { return LoadedPool(definition: Self.apply(config, to: empty), info: info) }
        guard let object = (try? JSONParser.parse(bytes))?.objectValue else {
            throw .invalidFile(path: path, reason: "\(path) is not the JSON object vnetd writes")
        }
        if let refused = object["refused"]?.stringValue { throw .invalidFile(path: path, reason: refused) }
        var definition: PoolDefinition
        do {
            definition = try PoolFieldReader(object) { "\(path): \($0)" }.staticFields(for: "a vnet pool document")
        } catch {
            throw .invalidFile(path: path, reason: error.message)
        }
        // Written for another subnet (the configuration changed): nothing of it is served until vnetd
        // rewrites it for this one.
        guard definition.subnet == spec.subnet, (definition.gateway ?? spec.gateway) == spec.gateway else {
            return LoadedPool(definition: Self.apply(config, to: empty), info: info)
        }
        definition.dns = nil
        return LoadedPool(definition: Self.apply(config, to: definition), info: info)
    }

    // MARK: Metadata

    private func loadMetadata(_ endpoint: PoolSourceConfig.MetadataEndpoint, config: PoolSourceConfig,
                              policy: Policy) throws(PoolSourceError) -> LoadedPool {
        let kind = config.kindName
        let cache = PoolCache(directory: cacheDirectory)
        let lookup = cache.read(source: kind, url: endpoint.url.description, macAddress: endpoint.macAddress?.hex)
        var cached: PoolCache.Entry?
        if case .entry(let entry) = lookup { cached = entry }

        func serve(_ entry: PoolCache.Entry, fromCache: Bool, error: String?) -> LoadedPool {
            LoadedPool(definition: Self.apply(config, to: entry.definition),
                       info: PoolSourceInfo(kind: kind, fetchedAt: entry.fetchedDate, servedFromCache: fromCache, error: error))
        }

        switch policy {
        case .cacheOnly:
            guard let cached else {
                var reason = "nothing cached yet"
                if case .unusable(let problem) = lookup { reason = problem }
                throw .noCache(source: kind, path: cache.path, reason: reason)
            }
            return serve(cached, fromCache: false, error: nil)
        case .whenStale:
            if let cached {
                let ttl = Double(config.cacheTTLSeconds)
                let age = now.timeIntervalSince1970 - cached.fetchedAt
                // A negative age means the clock went back: the entry's age is unknown, so ask again.
                if age >= 0 && age < ttl { return serve(cached, fromCache: false, error: nil) }
                // The source failed moments ago: answer from the cache rather than make this ADD wait
                // out the timeout too. One load per retry interval asks again.
                if let failedAt = cached.failedAt {
                    let since = now.timeIntervalSince1970 - failedAt
                    if since >= 0 && since < min(Self.retryIntervalSeconds, ttl) {
                        return serve(cached, fromCache: true, error: cached.failure)
                    }
                }
            }
        case .refresh:
            break
        }

        let fetched: (definition: PoolDefinition, interface: String)
        do {
            fetched = try fetch(endpoint, kind: kind, timeoutMilliseconds: config.timeoutMilliseconds)
        } catch {
            guard var cached else { throw .unavailable(source: kind, url: endpoint.url.description, failure: error) }
            let message = "\(kind) \(endpoint.url): \(error)"
            cached.failedAt = now.timeIntervalSince1970
            cached.failure = message
            try? cache.write(cached)  // best effort: without it the next load simply asks again
            return serve(cached, fromCache: true, error: message)
        }
        let entry = PoolCache.Entry(source: kind, url: endpoint.url.description, macAddress: endpoint.macAddress?.hex,
                                    interface: fetched.interface, fetchedAt: now.timeIntervalSince1970,
                                    definition: fetched.definition)
        var note: String?
        do { try cache.write(entry) } catch { note = "fetched, but the cache could not be written: \(error)" }
        return serve(entry, fromCache: false, error: note)
    }

    /// One request to the metadata service, interpreted into a definition.
    private func fetch(_ endpoint: PoolSourceConfig.MetadataEndpoint, kind: String,
                       timeoutMilliseconds: Int) throws(MetadataFailure) -> (definition: PoolDefinition, interface: String) {
        let isIMDS = kind == "imds"
        let body: [UInt8]
        do {
            body = try HTTPClient(timeoutMilliseconds: timeoutMilliseconds)
                .fetch(endpoint.url, headers: isIMDS ? [HTTPHeader("Metadata", "true")] : [])
        } catch {
            throw .http(error)
        }
        do {
            let interfaces = isIMDS ? try IMDSDocument.parse(body) : try WireserverDocument.parse(body)
            let interface = try MetadataInterface.select(interfaces, mac: endpoint.macAddress, source: kind)
            var definition = try interface.definition(source: kind)
            definition.dns = DNSSettings(nameservers: [PoolSourceConfig.azureDNS])
            return (definition, MACAddress(interface.macAddress)?.hex ?? interface.macAddress)
        } catch {
            throw .document(error)
        }
    }
}
