#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// How much a counter moved between two snapshots, and over how long.
public struct CounterDelta: Hashable, Sendable {
    public var packets: UInt64
    public var bytes: UInt64
    public var seconds: Double

    public var packetsPerSecond: Double { seconds > 0 ? Double(packets) / seconds : 0 }
    public var bytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds : 0 }

    /// nil when a counter went backwards (link recreated, rule replaced): a rate across a reset is a lie.
    init?(packets: (UInt64, UInt64), bytes: (UInt64, UInt64), seconds: Double) {
        guard seconds > 0, packets.1 >= packets.0, bytes.1 >= bytes.0 else { return nil }
        self.packets = packets.1 - packets.0
        self.bytes = bytes.1 - bytes.0
        self.seconds = seconds
    }
}

/// Receive and transmit movement of one link.
public struct LinkDelta: Hashable, Sendable {
    public var rx: CounterDelta
    public var tx: CounterDelta
    public var dropped: UInt64
    public var errors: UInt64
}

/// Rates from two consecutive snapshots. Links are matched by name and index (a recreated veth has a new
/// index and its counters restart), NAT rules by chain and handle, pod counters by address.
public struct SnapshotRates: Sendable {
    /// Seconds between the two snapshots; nil with only one snapshot.
    public let seconds: Double?
    private var links: [String: LinkDelta] = [:]
    private var rules: [String: CounterDelta] = [:]
    private var pods: [IPv4Address: CounterDelta] = [:]
    /// Movement of all NAT rules together.
    public private(set) var natRules: CounterDelta?
    /// Movement of all per-pod SNAT counters together.
    public private(set) var natPods: CounterDelta?

    public init(previous: NodeSnapshot?, current: NodeSnapshot) {
        guard let previous else { seconds = nil; return }
        let dt = current.takenAt.timeIntervalSince(previous.takenAt)
        guard dt > 0 else { seconds = nil; return }
        seconds = dt

        // Only index and counters are kept, and links are matched by name through dictionaries: this runs
        // on every refresh of the console, with a link per pod.
        var oldLinks: [String: (index: Int32, counters: LinkCounters)] = [:]
        oldLinks.reserveCapacity(previous.links.count + previous.endpoints.count + 1)
        for link in previous.links { oldLinks[link.name] = (link.index, link.counters) }
        if let bridge = previous.bridgeLink { oldLinks[bridge.name] = (bridge.index, bridge.counters) }
        for endpoint in previous.endpoints {
            if let link = endpoint.link, oldLinks[link.name] == nil { oldLinks[link.name] = (link.index, link.counters) }
        }
        var seen = Set<String>(minimumCapacity: current.links.count + current.endpoints.count + 1)
        links.reserveCapacity(current.links.count + 1)
        func measure(_ link: Link) {
            guard seen.insert(link.name).inserted, let old = oldLinks[link.name], old.index == link.index else { return }
            let a = old.counters, b = link.counters
            guard let rx = CounterDelta(packets: (a.rxPackets, b.rxPackets), bytes: (a.rxBytes, b.rxBytes), seconds: dt),
                  let tx = CounterDelta(packets: (a.txPackets, b.txPackets), bytes: (a.txBytes, b.txBytes), seconds: dt)
            else { return }
            let dropped = (b.rxDropped &+ b.txDropped) &- (a.rxDropped &+ a.txDropped)
            let errors = (b.rxErrors &+ b.txErrors) &- (a.rxErrors &+ a.txErrors)
            links[link.name] = LinkDelta(rx: rx, tx: tx, dropped: dropped > (1 << 62) ? 0 : dropped,
                                         errors: errors > (1 << 62) ? 0 : errors)
        }
        for link in current.links { measure(link) }
        if let bridge = current.bridgeLink { measure(bridge) }
        for endpoint in current.endpoints { if let link = endpoint.link { measure(link) } }

        var oldRules: [String: NATRuleCounter] = [:]
        for rule in previous.nat.rules { oldRules[Self.ruleID(rule)] = rule }
        var sum = (p0: UInt64(0), p1: UInt64(0), b0: UInt64(0), b1: UInt64(0))
        for rule in current.nat.rules {
            guard let old = oldRules[Self.ruleID(rule)],
                  let delta = CounterDelta(packets: (old.packets, rule.packets), bytes: (old.bytes, rule.bytes), seconds: dt)
            else { continue }
            rules[Self.ruleID(rule)] = delta
            sum.p0 &+= old.packets; sum.p1 &+= rule.packets; sum.b0 &+= old.bytes; sum.b1 &+= rule.bytes
        }
        if !rules.isEmpty { natRules = CounterDelta(packets: (sum.p0, sum.p1), bytes: (sum.b0, sum.b1), seconds: dt) }

        var oldPods: [IPv4Address: PodNATCounter] = [:]
        oldPods.reserveCapacity(previous.nat.perPod.count)
        pods.reserveCapacity(current.nat.perPod.count)
        for pod in previous.nat.perPod { oldPods[pod.address] = pod }
        sum = (0, 0, 0, 0)
        for pod in current.nat.perPod {
            guard let old = oldPods[pod.address],
                  let delta = CounterDelta(packets: (old.packets, pod.packets), bytes: (old.bytes, pod.bytes), seconds: dt)
            else { continue }
            pods[pod.address] = delta
            sum.p0 &+= old.packets; sum.p1 &+= pod.packets; sum.b0 &+= old.bytes; sum.b1 &+= pod.bytes
        }
        if !pods.isEmpty { natPods = CounterDelta(packets: (sum.p0, sum.p1), bytes: (sum.b0, sum.b1), seconds: dt) }
    }

    public func link(_ name: String) -> LinkDelta? { links[name] }
    public func rule(_ rule: NATRuleCounter) -> CounterDelta? { rules[Self.ruleID(rule)] }
    public func pod(_ address: IPv4Address) -> CounterDelta? { pods[address] }

    private static func ruleID(_ rule: NATRuleCounter) -> String { "\(rule.chain)#\(rule.handle)" }
}
