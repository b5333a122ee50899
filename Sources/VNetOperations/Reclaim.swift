#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetState

extension Node {
    /// A plan to reclaim `addresses` (or, with none, every suspected leak). A target whose pod namespace is
    /// alive, or cannot be confirmed gone from here, is refused unless `force`.
    public func planReclaim(addresses: [IPv4Address]?, force: Bool, now: Date = Date()) throws(OperationError) -> ChangePlan {
        let state: NetworkState
        let links: [Link]
        do {
            links = try kernel.links()
            state = try store.load()
        } catch {
            throw OperationError.wrap(error, step: "plan")
        }
        var plan = ChangePlan(action: .reclaim, summary: "", changes: [], stateGeneration: state.generation)
        let suspects = LeakDetector.find(state: state, links: links, bridge: config.bridge, now: now, namespacePath: kernel.namespacePath)
        let linkByName = Dictionary(links.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

        var candidates: [PlanTarget] = []
        if let addresses {
            for address in addresses {
                guard let lease = state.lease(holding: address) else {
                    if state.quarantined.contains(address) {
                        candidates.append(PlanTarget(key: nil, address: address, hostVeth: nil, netns: nil, leaseCreatedAt: nil,
                                                        evidence: [.quarantinedByRepair]))
                    } else if let endpoint = state.endpoints.first(where: { $0.address.address == address }) {
                        candidates.append(PlanTarget(key: endpoint.key, address: address, hostVeth: endpoint.hostVeth,
                                                        netns: endpoint.netns, leaseCreatedAt: nil, evidence: [.endpointWithoutLease]))
                    } else {
                        plan.refusals.append("\(address): not leased on this node")
                    }
                    continue
                }
                let endpoint = state.endpoint(for: lease.key)
                let evidence = suspects.first { $0.key == lease.key }?.evidence ?? []
                candidates.append(PlanTarget(key: lease.key, address: address, hostVeth: endpoint?.hostVeth ?? hostVeth(for: lease.key),
                                                netns: lease.netns ?? endpoint?.netns, leaseCreatedAt: lease.createdAt, evidence: evidence))
            }
        } else {
            for suspect in suspects {
                let lease = suspect.key.flatMap { state.lease(for: $0) }
                candidates.append(PlanTarget(key: suspect.key, address: suspect.address, hostVeth: suspect.hostVeth,
                                                netns: suspect.netns, leaseCreatedAt: lease?.createdAt, evidence: suspect.evidence))
            }
        }
        let natPods = (try? nat.pods()) ?? []
        for target in candidates {
            let name = target.address?.description ?? target.hostVeth ?? "?"
            if target.evidence == [.quarantinedByRepair], let address = target.address {
                // Its lease was lost with the corrupt state; a pod may still use it. The NAT set says so.
                if natPods.contains(address) && !force {
                    plan.refusals.append("\(address): quarantined by a state repair and still in the NAT set, so a pod likely uses it (use --force once you know it does not)")
                    continue
                }
                plan.targets.append(target)
                plan.changes.append(Change(.lease, .remove, "end the quarantine of \(address): it can be handed out again"))
                continue
            }
            if !force, let reason = podInUse(target, links: linkByName) {
                plan.refusals.append("\(name): \(reason)")
                continue
            }
            plan.targets.append(target)
            if let address = target.address {
                plan.changes.append(Change(.nat, .remove, "remove \(address) from the pod sets of table \(config.natTable)"))
                plan.changes.append(Change(.route, .remove, "delete \(address)/32 dev \(config.bridge)"))
            }
            if let veth = target.hostVeth, linkByName[veth] != nil { plan.changes.append(Change(.link, .remove, "delete veth \(veth) (and its pod-side peer)")) }
            if let key = target.key {
                if let address = target.address, state.lease(for: key) != nil {
                    plan.changes.append(Change(.lease, .remove, "release \(address) held by \(key) (cools down before reuse)"))
                }
                if state.endpoint(for: key) != nil { plan.changes.append(Change(.state, .remove, "forget endpoint \(key)")) }
            }
        }
        plan.summary = "Reclaim \(plan.targets.count) leaked address(es)"
        plan.facts = plan.targets.map { "\($0.address?.description ?? $0.hostVeth ?? "?") \($0.evidence.map(\.rawValue).joined(separator: ","))" }
        return plan
    }

    /// Carries out a reclaim plan. Each target is looked at again under the state lock, in the state and in
    /// the kernel (its namespace and its veth), and only then changed: anything that changed since the plan
    /// was made, or a pod that turns out to be alive, is skipped, never touched.
    public func perform(_ plan: ChangePlan, force: Bool) -> ActionReport {
        var report = ActionReport()
        for target in plan.targets {
            let name = target.address?.description ?? target.hostVeth ?? "?"
            do {
                if target.evidence == [.quarantinedByRepair], let address = target.address {
                    try store.update(verb: "reclaim", lockTimeout: lockTimeout) { state in
                        guard state.quarantined.contains(address), state.lease(holding: address) == nil else {
                            throw OperationError(.refused, "\(address) is no longer quarantined")
                        }
                        state.quarantined.removeAll { $0 == address }
                    }
                } else {
                    // Looked at and changed under the lock. An ADD records its endpoint under the lock before it
                    // makes a veth, so not even a veth no endpoint owned can be half-way into an ADD meanwhile.
                    try store.update(verb: "reclaim", lockTimeout: lockTimeout) { state in
                        if let reason = try changed(target, in: state, force: force) { throw OperationError(.refused, reason) }
                        try removeFromKernel(target, recorded: target.key.flatMap(state.endpoint(for:)))
                        if let key = target.key {
                            state.release(key, at: Date())
                            state.removeEndpoint(key)
                        }
                    }
                }
                report.done.append(name)
            } catch let error as OperationError where error.isRefusal {
                report.skipped.append("\(name): \(error.message)")
            } catch {
                report.failed.append("\(name): \(error)")
            }
        }
        return report
    }

    /// `recorded` is the target's endpoint, when the state has one: its public IP and host ports leave the
    /// table with its address.
    private func removeFromKernel(_ target: PlanTarget, recorded: Endpoint?) throws {
        if let address = target.address {
            try nat.removePod(recorded.map(NATPod.init) ?? NATPod(address: address))
            try kernel.removeHostRoute(to: address, bridge: config.bridge)
        }
        if let veth = target.hostVeth { try kernel.deleteLink(named: veth) }
    }

    /// Why `target` must not be touched any more, or nil: its records changed hands, or (without `force`)
    /// the kernel now shows its pod in use.
    func changed(_ target: PlanTarget, in state: NetworkState, force: Bool) throws -> String? {
        if let address = target.address, let lease = state.lease(holding: address) {
            if lease.key != target.key { return "\(address) is now leased to \(lease.key)" }
            if let created = target.leaseCreatedAt, lease.createdAt != created { return "\(address) was leased again since the plan" }
        } else if let address = target.address, target.leaseCreatedAt != nil {
            return "\(address) was already released"
        }
        if target.key == nil, let veth = target.hostVeth, state.endpoints.contains(where: { $0.hostVeth == veth }) {
            return "veth \(veth) now belongs to an endpoint"
        }
        guard !force else { return nil }
        let veth = try target.hostVeth.flatMap { try kernel.link(named: $0) }
        return podInUse(target, links: veth.map { [$0.name: $0] } ?? [:])
    }

    /// Why the kernel says `target`'s pod may still be in use, or nil: its namespace alive (unless an ADD
    /// that never finished left it without a veth) or not confirmed gone from here.
    func podInUse(_ target: PlanTarget, links: [String: Link]) -> String? {
        guard let netns = target.netns, !netns.isEmpty else {
            // A veth with no record: its peer's namespace alive means a DEL in flight (its veth goes a moment
            // after its record) or a pod whose record was lost; neither is ours to cut.
            guard let veth = target.hostVeth, VethWitness.of(veth, in: links) == .peerAlive else { return nil }
            return "veth \(veth) has its peer in a live namespace (a DEL in flight, or a pod whose record was lost; use --force to reclaim anyway)"
        }
        switch NamespaceStatus.judge(path: kernel.namespacePath(netns), veth: VethWitness.of(target.hostVeth, in: links)) {
        case .gone:
            return nil
        case .alive:
            if target.evidence.contains(.stuckAttaching) && target.hostVeth.flatMap({ links[$0] }) == nil { return nil }
            return "its pod namespace \(netns) is alive (use --force to reclaim anyway)"
        case .unconfirmed:
            return "its pod namespace \(netns) is unconfirmed: \(NamespaceStatus.unconfirmedCause); use --force once you know the pod is gone"
        }
    }
}
