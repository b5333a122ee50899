#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// What the overview's and the endpoint detail's sparklines draw: one sample per refresh, kept for
/// `window` seconds and at most `capacity` samples, so memory is bounded by the capacity whatever the
/// interval (15 minutes at a 1 s refresh; a shorter span at faster ones).
public struct NodeHistory: Sendable {
    /// The node's values at one refresh. NaN where there was nothing to measure (the first refresh has no
    /// rates). ADD and DEL trends come from the events' own times instead (`EventFeed.callSeries`), so they
    /// cover the whole window from the first refresh on.
    public struct Sample: Sendable {
        public var at: Date
        public var poolUsed: Float
        public var snatPacketsPerSecond: Float
        public var bridgeRxBytesPerSecond: Float
        public var bridgeTxBytesPerSecond: Float
    }

    /// One pod's values at one refresh, from the pod's side of its veth.
    public struct PodSample: Sendable {
        public var at: Date
        public var rxBytesPerSecond: Float
        public var txBytesPerSecond: Float
        public var snatPacketsPerSecond: Float
    }

    public static let window: Double = 15 * 60

    public let capacity: Int
    public private(set) var node: Ring<Sample>
    /// By the pod's address, unique on the node: a refresh records every pod, and an address hashes far
    /// cheaper than an attachment key's two strings.
    public private(set) var pods: [IPv4Address: Ring<PodSample>] = [:]

    public init(capacity: Int = 900) {
        self.capacity = capacity
        node = Ring(capacity: capacity)
    }

    /// Takes one sample from a refresh's data.
    public mutating func record(_ data: ConsoleData) {
        let s = data.snapshot, rates = data.rates
        let bridge = rates.link(s.bridge)
        node.append(Sample(
            at: s.takenAt, poolUsed: Float(s.usage.used),
            snatPacketsPerSecond: (rates.natPods ?? rates.natRules).map { Float($0.packetsPerSecond) } ?? .nan,
            bridgeRxBytesPerSecond: bridge.map { Float($0.rx.bytesPerSecond) } ?? .nan,
            bridgeTxBytesPerSecond: bridge.map { Float($0.tx.bytesPerSecond) } ?? .nan))

        for endpoint in s.endpoints {
            let link = rates.link(endpoint.hostVeth)
            // The host veth's transmit is what the pod receives, and its receive what the pod sends.
            let sample = PodSample(at: s.takenAt, rxBytesPerSecond: link.map { Float($0.tx.bytesPerSecond) } ?? .nan,
                                   txBytesPerSecond: link.map { Float($0.rx.bytesPerSecond) } ?? .nan,
                                   snatPacketsPerSecond: rates.pod(endpoint.address).map { Float($0.packetsPerSecond) } ?? .nan)
            pods[endpoint.address, default: Ring(capacity: capacity)].append(sample)
        }
        // A detached pod's history goes with it: memory follows the pods on the node, not all that ever were.
        // Every pod was just recorded, so more histories than pods means one is gone.
        if pods.count > s.endpoints.count {
            let present = Set(s.endpoints.map(\.address))
            pods = pods.filter { present.contains($0.key) }
        }
    }

    /// One series of the node's samples within the window before `now`: times and values, oldest first.
    public func series(_ value: (Sample) -> Float, now: Date) -> TimeSeries {
        TimeSeries(ring: node, now: now, at: \.at, value: value)
    }

    public func podSeries(_ address: IPv4Address, _ value: (PodSample) -> Float, now: Date) -> TimeSeries? {
        pods[address].map { TimeSeries(ring: $0, now: now, at: \.at, value: value) }
    }
}

/// Values with their times, oldest first, cut to the history's window.
public struct TimeSeries: Sendable {
    public var times: [Double]
    public var values: [Float]
    /// The window's end, as seconds since 1970 (the refresh that asks).
    public var end: Double

    init<Element>(ring: Ring<Element>, now: Date, at: (Element) -> Date, value: (Element) -> Float) {
        end = now.timeIntervalSince1970
        let start = end - NodeHistory.window
        times = []
        values = []
        times.reserveCapacity(ring.count)
        values.reserveCapacity(ring.count)
        for i in 0..<ring.count {
            let element = ring[i]
            let t = at(element).timeIntervalSince1970
            guard t >= start else { continue }
            times.append(t)
            values.append(value(element))
        }
    }

    public init(times: [Double], values: [Float], end: Double) {
        self.times = times
        self.values = values
        self.end = end
    }

    /// The newest measured value.
    public var latest: Float? { values.last { !$0.isNaN } }
    public var peak: Float? { values.filter { !$0.isNaN }.max() }
}
