#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetOperations

/// vnetd's reclaim of leaked leases, standing on the same plan-and-recheck road as `vnetctl reclaim`
/// (`Node.planReclaim`, `Node.carryOut`), never with force: a pod whose namespace is alive, or cannot be
/// confirmed gone, is never touched.
///
/// While running it takes high-confidence leaks only: the namespace gone and the veth with it
/// (`netns-gone`), seen so continuously for `after` seconds. At start it takes the leases of an earlier boot
/// (no pod outlives a reboot), again only those whose namespace is not alive.
final class AutoReclaimer: @unchecked Sendable {
    let node: Node
    let after: Double
    /// When each suspect was first seen gone, by address; forgotten once it is no suspect.
    private var goneSince: [IPv4Address: Date] = [:]
    private(set) var suspectCount = 0
    private var lastLook = Date.distantPast

    init(node: Node, after: Double) {
        self.node = node
        self.after = after
    }

    /// At start: when the state was last written in an earlier boot, every lease not held by a live pod.
    func reclaimEarlierBoot() -> Int {
        guard node.store.leftByEarlierBoot, let state = try? node.store.load(), !state.leases.isEmpty else { return 0 }
        return carryOut(addresses: state.leases.map(\.address), command: "reclaim the leases of an earlier boot")
    }

    /// How often it looks: every 10 s, more often when leaks are to be taken sooner (a netlink dump and a state
    /// read each time, which an idle agent should not pay every second).
    var period: Double { after > 0 ? min(10, max(1, after / 2)) : 10 }

    /// Looks for leaks (every `period`) and reclaims those gone long enough; returns how many were reclaimed.
    func pass(now: Date) -> Int {
        guard now.timeIntervalSince(lastLook) >= period else { return 0 }
        lastLook = now
        guard let plan = try? node.planReclaim(addresses: nil, force: false, now: now) else { return 0 }
        suspectCount = plan.targets.count + plan.refusals.count
        guard after > 0 else { return 0 }
        let gone = plan.targets.filter { $0.evidence.contains(.netnsGone) && $0.address != nil }.compactMap(\.address)
        goneSince = Dictionary(uniqueKeysWithValues: gone.map { ($0, goneSince[$0] ?? now) })
        let due = gone.filter { now.timeIntervalSince(goneSince[$0] ?? now) >= after }
        guard !due.isEmpty else { return 0 }
        return carryOut(addresses: due, command: "auto-reclaim: namespace and veth gone for \(Int(after))s or more")
    }

    /// Plans the addresses again (each re-judged) and carries out what passes, audited as vnetd's.
    private func carryOut(addresses: [IPv4Address], command: String) -> Int {
        guard let plan = try? node.planReclaim(addresses: addresses, force: false), !plan.targets.isEmpty,
              let outcome = try? node.carryOut(plan, by: Caller(tool: "vnetd", command: command)) else { return 0 }
        for address in addresses { goneSince[address] = nil }
        return outcome.report.done.count
    }
}
