#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Joins state and kernel to find what nobody uses any more. Pure apart from `namespacePath`, so it is tested
/// with plain values; every suspect carries the evidence an operator needs before reclaiming.
///
/// The kernel is the witness: a pod whose host veth still has its peer in another namespace is alive,
/// whatever its namespace path shows from here (see `NamespaceStatus.judge`). A path that cannot be read as
/// a namespace, with nothing in the kernel to settle it, is `netns-unconfirmed`: shown, never acted on
/// without --force. An ADD in flight (recorded, no veth yet, within `attachGrace`) is no suspect unless its
/// namespace is gone.
public enum LeakDetector {
    public static func find(state: NetworkState, links: [Link], bridge: String, now: Date,
                            namespacePath: (String) -> NamespacePath, attachGrace: TimeInterval = Node.attachGrace) -> [LeakSuspect] {
        let linkByName = Dictionary(links.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        /// Recorded by an ADD that has not made its veth yet (the kernel then becomes the record), within the
        /// grace: no suspect unless its namespace is gone, which no ADD outlives.
        func inFlight(_ endpoint: Endpoint?, _ namespace: LeakEvidence?) -> Bool {
            guard let endpoint, endpoint.phase == .attaching, linkByName[endpoint.hostVeth] == nil, namespace != .netnsGone else { return false }
            return now.timeIntervalSince(endpoint.createdAt) < attachGrace
        }
        func namespaceEvidence(_ netns: String?, hostVeth: String?) -> LeakEvidence? {
            guard let netns, !netns.isEmpty else { return nil }
            switch NamespaceStatus.judge(path: namespacePath(netns), veth: VethWitness.of(hostVeth, in: linkByName)) {
            case .alive: return nil
            case .gone: return .netnsGone
            case .unconfirmed: return .netnsUnconfirmed
            }
        }
        var suspects: [LeakSuspect] = []
        var seenKeys = Set<AttachmentKey>()
        let flagged = Set(state.flagged)
        // Keyed lookups: a full node has 250 leases and endpoints, and this runs on every console refresh.
        let endpointsByKey = Dictionary(state.endpoints.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let hasVNetLeases = state.leases.contains { $0.owner == "vnet" }

        for lease in state.leases {
            var evidence: [LeakEvidence] = []
            let endpoint = endpointsByKey[lease.key]
            let namespace = namespaceEvidence(lease.netns ?? endpoint?.netns, hostVeth: endpoint?.hostVeth)
            if inFlight(endpoint, namespace) {
                seenKeys.insert(lease.key)
                continue
            }
            if let namespace { evidence.append(namespace) }
            if let endpoint {
                if linkByName[endpoint.hostVeth] == nil {
                    // No veth yet is normal for an ADD in flight; past the grace it never finished. A pod whose
                    // namespace is gone is in flight no more: its veth went with it, and the evidence says so.
                    let age = now.timeIntervalSince(endpoint.createdAt)
                    if endpoint.phase == .ready || age >= attachGrace || namespace == .netnsGone { evidence.append(.noVeth) }
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
            let namespace = namespaceEvidence(endpoint.netns, hostVeth: endpoint.hostVeth)
            if inFlight(endpoint, namespace) { continue }
            // Under a delegated IPAM (host-local) the lease lives elsewhere; only vnet-ipam leases are ours to miss.
            if !leasedKeys.contains(endpoint.key) && hasVNetLeases {
                evidence.append(.endpointWithoutLease)
            }
            if let namespace { evidence.append(namespace) }
            if linkByName[endpoint.hostVeth] == nil
                && (endpoint.phase == .ready || now.timeIntervalSince(endpoint.createdAt) >= attachGrace || namespace == .netnsGone) {
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
