#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// What the event log said since the console last asked: new events, oldest first, and how many lines
/// could not be read.
public struct EventBatch: Sendable {
    public var events: [NodeEvent]
    public var skippedLines: Int

    public init(events: [NodeEvent], skippedLines: Int = 0) {
        self.events = events
        self.skippedLines = skippedLines
    }
}

/// The node's recent events as the console keeps them: the newest `capacity` (the log's own bound by
/// default), each numbered in arrival order so a selection survives refreshes that add rows above it.
public struct EventFeed: Sendable {
    /// One event with the number it arrived under.
    public struct Entry: Sendable, Hashable {
        public var number: Int
        public var event: NodeEvent
    }

    public let capacity: Int
    /// Oldest first; at most `capacity`.
    public private(set) var entries: [Entry] = []
    /// Lines of the log that could not be read (torn or corrupt), since the console started.
    public private(set) var skippedLines = 0
    private var nextNumber = 0

    public init(capacity: Int = 2_000) { self.capacity = max(1, capacity) }

    public mutating func append(_ batch: EventBatch) {
        skippedLines += batch.skippedLines
        guard !batch.events.isEmpty else { return }
        entries.reserveCapacity(min(capacity, entries.count + batch.events.count))
        // Events older than the capacity are numbered but never kept: numbers count every arrival.
        nextNumber += max(0, batch.events.count - capacity)
        for event in batch.events.suffix(capacity) {
            entries.append(Entry(number: nextNumber, event: event))
            nextNumber += 1
        }
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }

    /// Events that ever arrived: changes exactly when the entries do, so a view of them can be cached.
    public var arrivals: Int { nextNumber }

    public var lastFailure: Entry? { entries.last { $0.event.failed } }

    public var failureCount: Int { entries.reduce(0) { $0 + ($1.event.failed ? 1 : 0) } }

    public func entry(number: Int) -> Entry? {
        // Numbers are consecutive: the entry sits at a known offset from the first one.
        guard let first = entries.first?.number else { return nil }
        let offset = number - first
        return entries.indices.contains(offset) ? entries[offset] : nil
    }

    /// ADD and DEL calls of the last `window` seconds before `now`: how many, and how long they took.
    public func activity(now: Date, window: Double = 300) -> CNIActivity {
        var adds: [Double] = [], dels: [Double] = [], failed = 0
        let since = now.addingTimeInterval(-window)
        for entry in entries.reversed() {
            let event = entry.event
            guard event.at >= since else { break }
            guard event.isCNICall else { continue }
            switch event.verb {
            case "ADD": adds.append(event.seconds)
            case "DEL": dels.append(event.seconds)
            default: continue
            }
            if event.failed { failed += 1 }
        }
        return CNIActivity(window: window, add: CallStats(adds), del: CallStats(dels), failed: failed)
    }
}

extension EventFeed {
    /// A CNI verb's calls per minute and median latency (milliseconds), per `bucket` seconds of the history's
    /// window before `now`, from the events' own times. A bucket without calls has rate 0 and no latency.
    public func callSeries(_ verb: String, now: Date, bucket: Double = NodeHistory.window / 60) -> (rate: TimeSeries, latency: TimeSeries) {
        // Buckets are fixed in clock time, as the sparkline's slots are: a call stays in its bucket.
        let end = now.timeIntervalSince1970
        let count = Int((NodeHistory.window / bucket).rounded(.up))
        let start = ((end / bucket).rounded(.down) + 1) * bucket - Double(count) * bucket
        var calls = [[Double]](repeating: [], count: count)
        for entry in entries.reversed() {
            let t = entry.event.at.timeIntervalSince1970
            guard t >= start else { break }
            guard t <= end, entry.event.isCNICall, entry.event.verb == verb else { continue }
            calls[min(count - 1, Int((t - start) / bucket))].append(entry.event.seconds)
        }
        // Each bucket is placed at its middle, which lies in the window even for the bucket now filling.
        let times = (0..<count).map { start + (Double($0) + 0.5) * bucket }
        let rates = calls.map { Float(Double($0.count) * 60 / bucket) }
        let latencies = calls.map { $0.isEmpty ? Float.nan : Float($0.sorted()[$0.count / 2] * 1000) }
        return (TimeSeries(times: times, values: rates, end: end), TimeSeries(times: times, values: latencies, end: end))
    }
}

/// How often a CNI verb ran and how long it took, over a window.
public struct CallStats: Hashable, Sendable {
    public var count: Int
    /// Median and slowest call, in seconds; nil without calls.
    public var median: Double?
    public var slowest: Double?

    init(_ seconds: [Double]) {
        count = seconds.count
        let sorted = seconds.sorted()
        median = sorted.isEmpty ? nil : sorted[sorted.count / 2]
        slowest = sorted.last
    }
}

/// The node's CNI traffic over a window: what the overview's CNI line and the rate sparklines show.
public struct CNIActivity: Hashable, Sendable {
    public var window: Double
    public var add: CallStats
    public var del: CallStats
    public var failed: Int

    public func perMinute(_ stats: CallStats) -> Double { window > 0 ? Double(stats.count) * 60 / window : 0 }
}

extension NodeEvent {
    /// CNI calls are the plugins' (upper-case verbs); operations are vnetctl's, the console's and vnetd's.
    var isCNICall: Bool { caller == "vnet" || caller == "vnet-ipam" }
}
