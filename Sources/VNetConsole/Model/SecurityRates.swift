import VNetModel

/// How much each security rule's counter moved between two successive readings, over the time between
/// them: the Security screen's packets per second. Like `SnapshotRates`, a counter that went backwards (the
/// rules were rebuilt by `vnetctl rules apply` or a changed configuration) gives no rate rather than a wrong
/// one, and so does a rule that was not counted in both readings.
public struct SecurityRates: Hashable, Sendable {
    /// Seconds between the two readings; nil with one reading, or none.
    public let seconds: Double?
    private var rules: [RuleCounterKey: CounterDelta] = [:]
    /// All rules' movement together, for the summary line.
    public private(set) var total: CounterDelta?

    public init(previous: SecurityReading?, current: SecurityReading?) {
        guard let previous, let current else { seconds = nil; return }
        let dt = current.takenAt.timeIntervalSince(previous.takenAt)
        guard dt > 0 else { seconds = nil; return }
        seconds = dt
        var sum = (p0: UInt64(0), p1: UInt64(0), b0: UInt64(0), b1: UInt64(0))
        for (key, now) in current.counters {
            guard let old = previous.counters[key],
                  let delta = CounterDelta(packets: (old.packets, now.packets), bytes: (old.bytes, now.bytes), seconds: dt)
            else { continue }
            rules[key] = delta
            sum.p0 &+= old.packets; sum.p1 &+= now.packets; sum.b0 &+= old.bytes; sum.b1 &+= now.bytes
        }
        if !rules.isEmpty { total = CounterDelta(packets: (sum.p0, sum.p1), bytes: (sum.b0, sum.b1), seconds: dt) }
    }

    public func rule(_ key: RuleCounterKey) -> CounterDelta? { rules[key] }
    public func rule(_ rule: SecurityRule) -> CounterDelta? { rules[RuleCounterKey(rule)] }
}
