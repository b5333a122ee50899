#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import VNetModel
import VNetSystem

/// The last good answer of a metadata source, kept in the network's state directory so that ADDs within
/// the TTL cost no HTTP request, and so that a metadata outage does not stop pods from starting.
///
/// The entry records which source, URL and interface it answers for: a configuration change (another
/// MAC, IMDS instead of the wireserver) never serves a stale answer to a different question. Written with
/// temp file + fsync + rename, so a crash leaves the old or the new entry, never a torn one.
public struct PoolCache: Sendable {
    public static let fileName = "pool-cache.json"
    static let formatVersion = 1

    /// What the cache file holds.
    public struct Entry: Codable, Hashable, Sendable {
        public var version: Int
        public var source: String
        public var url: String
        /// The configured MAC address (nil: the primary interface was asked for).
        public var macAddress: String?
        /// The MAC address of the interface the definition came from.
        public var interface: String
        /// Seconds since 1970, when the source answered.
        public var fetchedAt: Double
        /// The source's answer, before the configuration's `exclude` and `dns` are applied.
        public var definition: PoolDefinition
        /// When the last attempt to refresh this entry failed (seconds since 1970), and why; cleared by
        /// a successful fetch. Lets loads during an outage skip the request instead of each waiting out
        /// the timeout.
        public var failedAt: Double?
        public var failure: String?

        public init(source: String, url: String, macAddress: String?, interface: String, fetchedAt: Double,
                    definition: PoolDefinition, failedAt: Double? = nil, failure: String? = nil) {
            version = PoolCache.formatVersion
            self.source = source
            self.url = url
            self.macAddress = macAddress
            self.interface = interface
            self.fetchedAt = fetchedAt
            self.definition = definition
            self.failedAt = failedAt
            self.failure = failure
        }

        public var fetchedDate: Date { Date(timeIntervalSince1970: fetchedAt) }
    }

    /// A read of the cache file.
    public enum Lookup: Sendable {
        case missing
        /// Present but not usable: corrupt, another format version, or another source's answer.
        case unusable(String)
        case entry(Entry)
    }

    public let path: String

    public init(directory: String) {
        path = directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName
    }

    /// The entry answering for `source`/`url`/`macAddress`, if the file holds one.
    public func read(source: String, url: String, macAddress: String?) -> Lookup {
        let bytes: [UInt8]?
        do { bytes = try Files.read(path, limit: 8 << 20) } catch { return .unusable("\(error)") }
        guard let bytes else { return .missing }
        let entry: Entry
        do { entry = try JSONDecoder().decode(Entry.self, from: Data(bytes)) } catch {
            return .unusable("the cache file is not a valid cache entry")
        }
        guard entry.version == Self.formatVersion else { return .unusable("cache format version \(entry.version)") }
        guard entry.source == source, entry.url == url, entry.macAddress == macAddress else {
            return .unusable("the cache holds the answer of \(entry.source) \(entry.url) for \(entry.macAddress ?? "the primary interface")")
        }
        guard entry.fetchedAt.isFinite else { return .unusable("the cache has no valid fetch time") }
        return .entry(entry)
    }

    /// Replaces the cache atomically, then removes temporary files left by processes that died mid-write.
    public func write(_ entry: Entry) throws(SystemError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(entry)) } catch { throw SystemError("encode", path: path, errno: EINVAL) }
        try Files.replaceAtomically(path, with: bytes + [UInt8(ascii: "\n")])
        removeAbandonedTemporaries()
    }

    private func removeAbandonedTemporaries() {
        let directory = Files.directory(of: path)
        for name in Files.list(directory) where Files.isAbandonedTemporary(name, of: Self.fileName) {
            Files.remove(directory + "/" + name)
        }
    }
}
