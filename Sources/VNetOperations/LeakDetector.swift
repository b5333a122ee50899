#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Joins state and kernel to find what nobody uses any more. Pure apart from `netnsAlive`, so it is tested
/// with plain values; every suspect carries the evidence an operator needs before reclaiming.
public enum LeakDetector {
    public static func find(state: NetworkState, links: [LinkInfo], bridge: String, now: Date,
                            netnsAlive: (String) -> Bool, attachGrace: TimeInterval = Node.attachGrace) -> [LeakSuspect] {
        let linkNames = Set(links.map(\.name))
        var suspects: [LeakSuspect] = []
        var seenKeys = Set<AttachmentKey>()
        let flagged = Set(state.flagged)
        // Keyed lookups: a full node has 250 leases and endpoints, and this runs on every console refresh.
        let endpointsByKey = Dictionary(state.endpoints.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let hasVNetLeases = state.leases.contains { $0.owner == "vnet" }

        for lease in state.leases {
            var evidence: [LeakEvidence] = []
            let endpoint = endpointsByKey[lease.key]
            if let netns = lease.netns ?? endpoint?.netns, !netns.isEmpty, !netnsAlive(netns) { evidence.append(.netnsGone) }
            if let endpoint {
                if !linkNames.contains(endpoint.hostVeth) {
                    // No veth yet is normal for an ADD in flight; past the grace it never finished.
                    let age = now.timeIntervalSince(endpoint.createdAt)
                    if endpoint.phase == .ready || age >= attachGrace { evidence.append(.noVeth) }
                    if endpoint.phase == .attaching && age >= attachGrace { evidence.append(.stuckAttaching) }
                }
            } else if lease.owner == "vnet" {
                evidence.append(.leaseWithoutEndpoint)
            }
            if flagged.contains(lease.address) { evidence.append(.flaggedBySource) }
            if !evidence.isEmpty {
                suspects.append(LeakSuspect(key: lease.key, address: lease.address, hostVeth: endpoint?.hostVeth,
                                            netns: lease.netns ?? endpoint?.netns, evidence: evidence))
                seenKeys.insert(lease.key)
            }
        }
        let leasedKeys = Set(state.leases.map(\.key))
        for endpoint in state.endpoints where !seenKeys.contains(endpoint.key) {
            var evidence: [LeakEvidence] = []
            // Under a delegated IPAM (host-local) the lease lives elsewhere; only vnet-ipam leases are ours to miss.
            if !leasedKeys.contains(endpoint.key) && hasVNetLeases {
                evidence.append(.endpointWithoutLease)
            }
            if !netnsAlive(endpoint.netns) { evidence.append(.netnsGone) }
            if !linkNames.contains(endpoint.hostVeth)
                && (endpoint.phase == .ready || now.timeIntervalSince(endpoint.createdAt) >= attachGrace) {
                evidence.append(.noVeth)
            }
            if !evidence.isEmpty {
                suspects.append(LeakSuspect(key: endpoint.key, address: endpoint.address.address, hostVeth: endpoint.hostVeth,
                                            netns: endpoint.netns, evidence: evidence))
            }
        }
        let leasedAddresses = Set(state.leases.map(\.address))
        for address in state.quarantined where !leasedAddresses.contains(address) {
            suspects.append(LeakSuspect(key: nil, address: address, hostVeth: nil, netns: nil, evidence: [.quarantinedByRepair]))
        }
        let owned = Set(state.endpoints.map(\.hostVeth))
        for link in links where link.kind == "veth" && link.master == bridge && link.name.hasPrefix("vn") && !owned.contains(link.name) {
            suspects.append(LeakSuspect(key: nil, address: nil, hostVeth: link.name, netns: nil, evidence: [.vethWithoutEndpoint]))
        }
        return suspects
    }
}
