#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetSystem

/// Counts and latency histograms of plugin calls, kept by the plugins themselves in
/// `<dataDir>/<network>/metrics.json` for `vnetctl metrics`.
///
/// A small file under its own flock (never the state lock), read-modified-written without fsync: losing the
/// last few samples in a power cut is fine, slowing every ADD is not.
public struct CallMetrics: Codable, Sendable, Hashable {
    /// Upper bounds of the latency buckets, in seconds (Prometheus `le`).
    public static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public struct Verb: Codable, Sendable, Hashable {
        public var count: UInt64 = 0
        public var errors: UInt64 = 0
        public var sumSeconds: Double = 0
        /// Cumulative counts per bucket, as Prometheus wants them.
        public var bucketCounts: [UInt64] = Array(repeating: 0, count: CallMetrics.buckets.count)
    }

    public var verbs: [String: Verb] = [:]

    public init() {}

    public mutating func record(verb: String, seconds: Double, ok: Bool) {
        var entry = verbs[verb] ?? Verb()
        entry.count += 1
        if !ok { entry.errors += 1 }
        entry.sumSeconds += seconds
        if entry.bucketCounts.count != Self.buckets.count { entry.bucketCounts = Array(repeating: 0, count: Self.buckets.count) }
        for (index, bound) in Self.buckets.enumerated() where seconds <= bound { entry.bucketCounts[index] += 1 }
        verbs[verb] = entry
    }

    public static func path(directory: String) -> String { directory + "/metrics.json" }

    /// Adds one sample; failures are ignored (metrics never fail a CNI call).
    public static func append(directory: String, verb: String, seconds: Double, ok: Bool) {
        let path = path(directory: directory)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { return }
        defer { flock(fd, LOCK_UN) }
        var (metrics, length) = read(fd)
        metrics.record(verb: verb, seconds: seconds, ok: ok)
        let bytes = metrics.json
        // Written over in place, cut only when shorter: truncating to zero first freed the file's block on
        // every call (~0.3 ms on ext4). Readers take the lock too, so none sees the file half written.
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        if length > bytes.count { ftruncate(fd, off_t(bytes.count)) }
    }

    public static func load(directory: String) -> CallMetrics {
        let fd = open(path(directory: directory), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return CallMetrics() }
        defer { close(fd) }
        guard flock(fd, LOCK_SH) == 0 else { return CallMetrics() }
        defer { flock(fd, LOCK_UN) }
        return read(fd).metrics
    }

    /// The metrics in the file open at `fd` (the caller holds its lock), empty when it holds none, and the
    /// file's length as read.
    private static func read(_ fd: Int32) -> (metrics: CallMetrics, length: Int) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return (CallMetrics(), 0) }
        return (CallMetrics(json: Array(buffer[0..<n])) ?? CallMetrics(), n)
    }

    // The file is JSON written and read by hand (`JSONWriter`, `JSONParser`): Foundation's coders cost more
    // on a CNI call's path than the rest of recording a sample.

    /// `{"verbs": {"<verb>": {"count", "errors", "sumSeconds", "bucketCounts"}}}`.
    var json: [UInt8] {
        JSONWriter.bytes(.object(["verbs": .object(verbs.mapValues { verb in
            .object(["count": .number(Double(verb.count)), "errors": .number(Double(verb.errors)),
                     "sumSeconds": .number(verb.sumSeconds),
                     "bucketCounts": .array(verb.bucketCounts.map { .number(Double($0)) })])
        })]))
    }

    /// Reads `json`'s layout; nil when the bytes are not that.
    init?(json bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes), let verbs = value["verbs"]?.objectValue else { return nil }
        for (name, entry) in verbs {
            guard let count = entry["count"]?.numberValue, let errors = entry["errors"]?.numberValue,
                  let sum = entry["sumSeconds"]?.numberValue, let buckets = entry["bucketCounts"]?.arrayValue,
                  let count = UInt64(exactly: count.rounded(.down)), let errors = UInt64(exactly: errors.rounded(.down)) else { return nil }
            var verb = Verb()
            verb.count = count
            verb.errors = errors
            verb.sumSeconds = sum
            verb.bucketCounts = buckets.map { UInt64(exactly: ($0.numberValue ?? 0).rounded(.down)) ?? 0 }
            self.verbs[name] = verb
        }
    }
}
