#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetIPAM
import VNetModel
import VNetState

extension Node {
    /// The exact changes a detach of `key` will make, and the facts to re-check before acting.
    public func planDetach(_ key: AttachmentKey) throws(OperationError) -> ChangePlan {
        let state: NetworkState
        let links: [Link]
        do {
            state = try store.load()
            links = try kernel.links()
        } catch {
            throw OperationError.wrap(error, step: "plan")
        }
        let endpoint = state.endpoint(for: key)
        let lease = state.lease(for: key)
        guard endpoint != nil || lease != nil else { throw OperationError(.notFound, "\(key) is not attached to network \(config.network)") }
        let address = endpoint?.address.address ?? lease?.address
        let veth = endpoint?.hostVeth ?? hostVeth(for: key)
        var changes: [Change] = []
        if let address {
            changes.append(Change(.nat, .remove, "remove \(address) from the pod sets of table \(config.natTable)"))
            changes.append(Change(.route, .remove, "delete \(address)/32 dev \(endpoint?.bridge ?? config.bridge)"))
        }
        if links.contains(where: { $0.name == veth }) {
            let inside = endpoint?.netns ?? "the pod"
            changes.append(Change(.link, .remove, "delete veth \(veth) (and \(key.ifname) inside \(inside))"))
        }
        if let lease { changes.append(Change(.lease, .remove, "release \(lease.address) held by \(key) (cools down before reuse)")) }
        if endpoint != nil { changes.append(Change(.state, .remove, "forget endpoint \(key)")) }
        let netns = endpoint?.netns ?? lease?.netns
        let target = PlanTarget(key: key, address: address, hostVeth: veth, netns: netns, leaseCreatedAt: lease?.createdAt, evidence: [])
        var warnings: [String] = []
        if let netns, kernel.namespacePath(netns) != .missing {
            warnings.append("the pod's namespace \(netns) is alive: it loses its network")
        }
        return ChangePlan(action: .detach, summary: "Detach \(key) (\(address?.description ?? "no address"))", targets: [target],
                          changes: changes, warnings: warnings, stateGeneration: state.generation,
                          facts: ["lease \(address?.description ?? "-") -> \(key)", "veth \(veth)"])
    }

    /// Detaches `target.key` only if the attachment is still the one the plan showed.
    public func detach(planned target: PlanTarget) throws(OperationError) {
        guard let key = target.key else { throw OperationError(.refused, "the plan names no attachment") }
        let state: NetworkState
        do { state = try store.load() } catch { throw OperationError.wrap(error, step: "plan") }
        if let address = target.address, let lease = state.lease(holding: address), lease.key != key || lease.createdAt != target.leaseCreatedAt {
            throw OperationError(.refused, "\(address) changed hands since the plan was made; nothing was done")
        }
        if target.leaseCreatedAt != nil && state.lease(for: key)?.createdAt != target.leaseCreatedAt {
            throw OperationError(.refused, "\(key) was detached or attached again since the plan was made; nothing was done")
        }
        try detach(key)
    }

    /// What an attach would do, naming the address it will take: the pool's next free one now (or the
    /// requested one). Carrying the plan out takes that address if it is still free, or the next free one
    /// and says which (`attach(_:planned:)`). When the pool cannot say (a delegated IPAM plugin, a `vnet`
    /// pool with no block yet) the lines say the address is chosen at attach time; when the pool would refuse
    /// the attach (exhausted, node limit, requested address taken), a warning says why before anyone confirms.
    public func planAttach(_ request: AttachRequest) throws(OperationError) -> ChangePlan {
        guard kernel.isNamespaceAlive(request.netns) else {
            throw OperationError(.notFound, "\(request.netns) is not a network namespace")
        }
        let state: NetworkState
        do { state = try store.load() } catch { throw OperationError.wrap(error, step: "plan") }
        if state.lease(for: request.key) != nil {
            throw OperationError(.refused, "\(request.key) is already attached")
        }
        let veth = hostVeth(for: request.key)
        var warnings: [String] = []
        let next: IPv4Address?
        do {
            next = try addresses.nextAddress(for: request)
        } catch IPAMError.pool(.empty) {
            next = nil
        } catch {
            next = nil
            warnings.append("the pool would refuse this attach now: \(error)")
        }
        let address = next?.description ?? "<address>"
        let taking: String
        switch (next, request.requested) {
        case (let next?, nil): taking = "take \(next), the pool's next free address, for \(request.key)"
        case (let next?, _?): taking = "take \(next) (asked) for \(request.key)"
        case (nil, let asked?): taking = "take \(asked) (asked) for \(request.key)"
        case (nil, nil): taking = "take the next free address of the pool for \(request.key) (chosen when applying)"
        }
        var facts = ["netns \(request.netns)"]
        if let next { facts.append("\(next) still free (else the next free address is taken, and the result says which)") }
        return ChangePlan(action: .attach, summary: "Attach \(request.netns) as \(request.key) (\(request.pod.display))",
                          targets: [PlanTarget(key: request.key, address: next, hostVeth: veth, netns: request.netns, leaseCreatedAt: nil,
                                               evidence: [])],
                          changes: [
                              Change(.lease, .add, taking),
                              Change(.link, .add, "create veth \(veth) on bridge \(config.bridge) with peer \(request.key.ifname) inside \(request.netns)"),
                              Change(.address, .add, "configure \(request.key.ifname) in \(request.netns) with \(next.map { "\($0)" } ?? "the address") and a default route via the gateway"),
                              Change(.route, .add, "add \(address)/32 dev \(config.bridge)"),
                              Change(.nat, .add, "add \(address) to the pod sets of table \(config.natTable)"),
                          ], warnings: warnings, stateGeneration: state.generation, facts: facts, attach: request)
    }

    /// Attaches `request` with the address its plan showed (`planned`) while that one is still free: the
    /// allocator decides under the state lock, so it is pinned as if requested. When another attachment took
    /// it meanwhile (or it started cooling down, or left the pool), the next free address is taken instead and
    /// the returned note says which, so the operator is never told one address and given another silently.
    func attach(_ request: AttachRequest, planned: IPv4Address?) throws(OperationError) -> (attachment: Attachment, note: String?) {
        guard let planned, request.requested == nil else { return (try attach(request), nil) }
        var pinned = request
        pinned.requested = planned
        do {
            return (try attach(pinned), nil)
        } catch {
            guard case .ipam(.allocation(let refusal)) = error.kind, refusal.concernsRequestedAddress else { throw error }
            let attachment = try attach(request)
            let taken = attachment.allocation.address.address
            return (attachment, "\(planned) from the plan is no longer free (\(refusal)); took \(taken) instead")
        }
    }
}

extension AllocationError {
    /// Whether the refusal is about the one address asked for (another may still be free), not the pool.
    var concernsRequestedAddress: Bool {
        switch self {
        case .requestedInUse, .requestedCoolingDown, .requestedQuarantined, .requestedOutsidePool: return true
        case .nodeLimitReached, .poolExhausted: return false
        }
    }
}
