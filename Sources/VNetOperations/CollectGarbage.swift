#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetState

/// What a GC removed.
public struct GarbageReport: Sendable, Codable, Hashable {
    public var detached: [AttachmentKey] = []
    public var staleVeths: [String] = []
    public var failures: [String] = []
}

extension Node {
    /// How long an endpoint may stay `attaching` before GC treats it as abandoned: an ADD in flight is never
    /// collected under it.
    public static let attachGrace: TimeInterval = 120

    /// GC: everything of attachments not in `valid` goes (endpoint, lease, veth, NAT element), then vnet veths
    /// that no endpoint owns, then the IPAM's own GC.
    /// With `caller` (an operator's GC, not the runtime's), the audit log records what was removed.
    public func collectGarbage(valid: Set<AttachmentKey>, now: Date = Date(), by caller: Caller? = nil) throws(OperationError) -> GarbageReport {
        var report = GarbageReport()
        do {
            // Links first, then state: an endpoint is recorded before its veth exists, so any veth seen here
            // whose ADD is in flight already has its endpoint in the state loaded next.
            let links = try kernel.links()
            let state = try store.load()
            let stale = Set(state.endpoints.map(\.key)).union(state.leases.map(\.key)).subtracting(valid)
            for key in stale.sorted() {
                // An ADD in flight (recorded, no veth yet, young, its pod namespace there) is left to finish or
                // fail on its own. Without its namespace it can only fail: after a reboot every pod is so.
                if let endpoint = state.endpoint(for: key), endpoint.phase == .attaching,
                   !links.contains(where: { $0.name == endpoint.hostVeth }),
                   now.timeIntervalSince(endpoint.createdAt) < Self.attachGrace,
                   kernel.isNamespaceAlive(endpoint.netns) { continue }
                do {
                    try detach(key)
                    report.detached.append(key)
                } catch {
                    report.failures.append("\(key): \(error)")
                }
            }
            let owned = Set(state.endpoints.map(\.hostVeth))
            for link in links where link.kind == "veth" && link.master == config.bridge && link.name.hasPrefix("vn") && !owned.contains(link.name) {
                do {
                    try kernel.deleteLink(named: link.name)
                    report.staleVeths.append(link.name)
                } catch {
                    report.failures.append("\(link.name): \(error)")
                }
            }
            try addresses.collectGarbage(valid: valid.union(stale.subtracting(report.detached)))
        } catch {
            throw OperationError.wrap(error, step: "gc")
        }
        if let caller {
            audit(caller, command: "gc (\(valid.count) valid)", before: "-",
                  after: "detached \(report.detached.map(\.description)); stale veths \(report.staleVeths)")
        }
        return report
    }

    /// STATUS: the node can serve an ADD now.
    public func status() throws(OperationError) {
        do {
            if let bridge = try kernel.links().first(where: { $0.name == config.bridge }), !bridge.adminUp {
                throw OperationError(.unavailable, "bridge \(config.bridge) is down")
            }
            try addresses.status()
        } catch {
            throw OperationError.wrap(error, step: "")
        }
    }
}
