/// How much a node reserves of its VNet: the rule vnetd follows, kept pure so it is tested alone.
///
/// A node keeps headroom so that an ADD almost never waits for the registry: its reservation is the next
/// multiple of `step` above what it uses (1 to `step` pods of headroom). It grows as soon as the headroom is
/// gone, and gives back what stays above that mark for `giveBackAfter` seconds. Under pressure (a node asked
/// for room the VNet did not have) headroom would strand capacity, so every node keeps exactly what it uses
/// until the pressure ends: a VNet can always be filled to its limit wherever the pods land.
public struct ReservationPolicy: Sendable, Hashable {
    public var step: Int
    public var giveBackAfter: Double

    public init(step: Int, giveBackAfter: Double) {
        self.step = max(1, step)
        self.giveBackAfter = giveBackAfter
    }

    /// The reservation a node holding `used` pods, with ADDs waiting for `need` pods in all, aims at.
    public func target(used: Int, need: Int = 0, underPressure: Bool) -> Int {
        let pods = max(used, need)
        return underPressure ? pods : (pods / step + 1) * step
    }

    /// What to do with a reservation of `reserved`. `aboveSince`: since when the reservation has stood above
    /// the target without a break (nil: it was not), as the caller recorded it from earlier decisions.
    public func decide(reserved: Int, used: Int, need: Int = 0, underPressure: Bool, aboveSince: Double?, now: Double) -> Decision {
        let target = target(used: used, need: need, underPressure: underPressure)
        if target > reserved { return .grow(to: target) }
        if target == reserved { return .keep }
        // Never below what is in use: a reservation smaller than the pods it holds would break the invariant.
        let floor = max(target, used)
        if floor >= reserved { return .keep }
        if underPressure { return .giveBack(to: floor) }
        guard let aboveSince else { return .wait }
        return now - aboveSince >= giveBackAfter ? .giveBack(to: floor) : .wait
    }

    public enum Decision: Sendable, Hashable {
        case keep
        case grow(to: Int)
        /// Above the target, but not for long enough yet: start or keep the give-back clock.
        case wait
        case giveBack(to: Int)
    }
}
