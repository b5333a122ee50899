/// Counts and latency histograms of plugin calls, kept by the plugins themselves (`metrics.json` in each
/// plugin's own state directory, see VNetState) for `vnetctl metrics`.
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

    // The file is JSON written and read by hand (`JSONWriter`, `JSONParser`): Foundation's coders cost more
    // on a CNI call's path than the rest of recording a sample.

    /// `{"verbs": {"<verb>": {"count", "errors", "sumSeconds", "bucketCounts"}}}`.
    public var json: [UInt8] {
        JSONWriter.bytes(.object(["verbs": .object(verbs.mapValues { verb in
            .object(["count": .number(Double(verb.count)), "errors": .number(Double(verb.errors)),
                     "sumSeconds": .number(verb.sumSeconds),
                     "bucketCounts": .array(verb.bucketCounts.map { .number(Double($0)) })])
        })]))
    }

    /// Reads `json`'s layout; nil when the bytes are not that.
    public init?(json bytes: [UInt8]) {
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
