import VNetConsole
import VNetModel
import VNetOperations

/// The console's data: a snapshot from the operations layer on every refresh.
struct InspectorSource: SnapshotSource {
    let inspector: NodeInspector
    func snapshot() throws -> NodeSnapshot { inspector.snapshot() }
}

/// The console's events: the log's newest at the first refresh, then only what was appended since.
final class NodeEventSource: EventSource {
    let node: Node
    private var follower: EventFollower?

    init(node: Node) { self.node = node }

    func read() -> EventBatch {
        if var follower {
            let events = follower.next()
            self.follower = follower
            return EventBatch(events: events)
        }
        // Follow from here first: an event appended between the two reads is then read twice at worst, never lost.
        follower = node.followEvents()
        let (events, skipped) = node.events(limit: EventFeed().capacity)
        return EventBatch(events: events, skippedLines: skipped)
    }
}

/// `t` in an endpoint's details: the operations layer's probe (what `vnetctl probe` runs). Each probe builds
/// its own node from the recorded configuration on the probe's thread: the console's node (its netlink and
/// nftables sockets) belongs to the main thread. The process entered the node's namespace before any
/// thread started, so the probe's thread is in it too.
struct OperationsProber: EndpointProber {
    let stateDir: String
    let network: String

    func probe(_ key: AttachmentKey) throws -> ProbeReport {
        let (node, _) = try NodeAssembly.recorded(stateDir: stateDir, network: network)
        return try node.probe(ProbeRequest(reference: EndpointReference(key.description)))
    }
}

/// The console's changes, planned and carried out by the operations layer (the code vnetctl runs). A plan is
/// carried out only if it was made here and not used yet; the operations re-check its targets.
final class OperationsActions: ConsoleActions {
    let node: Node
    private var unused = Set<ChangePlan>()

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    init(node: Node) { self.node = node }

    private func remember(_ plan: ChangePlan) -> ChangePlan {
        unused.insert(plan)
        return plan
    }

    func planAttach(_ request: AttachRequest) throws -> ChangePlan { remember(try node.planAttach(request)) }

    func planDetach(_ key: AttachmentKey) throws -> ChangePlan { remember(try node.planDetach(key)) }

    func planReclaim(_ addresses: [IPv4Address]) throws -> ChangePlan {
        let plan = try node.planReclaim(addresses: addresses, force: false)
        guard !plan.targets.isEmpty else {
            throw Refused(description: plan.refusals.isEmpty ? "nothing to reclaim" : plan.refusals.joined(separator: "; "))
        }
        return remember(plan)
    }

    func namedNamespaces() -> [String] { NamespaceView.names() }

    func perform(_ plan: ChangePlan) throws -> String {
        guard unused.remove(plan) != nil else {
            throw Refused(description: "this plan was not made here or was already used; nothing was done")
        }
        return try node.carryOut(plan, by: Caller(tool: "vnet-console")).line
    }
}
