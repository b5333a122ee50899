#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Forget-node from the VNet screen: the console refuses what it can see is wrong (an alive node, this
/// node, a STALE view) before asking for a plan, which then takes the confirm-and-perform road.
extension ConsoleController {
    /// `f` on the VNet screen: plans forgetting the selected node, which must be LOST in a view that is not
    /// STALE (a stale view cannot tell whether the node came back) and must not be this node (whose pods
    /// would lose their share of the VNet while still running).
    func beginForgetNode() {
        guard !refuseReadOnly("forget-node") else { return }
        guard state.overlays.isEmpty, state.screen == .vnet else {
            setStatus("forget-node works on a LOST node of the VNet screen: go to screen \(ScreenID.vnet.rawValue)", .info)
            return
        }
        guard let view = vnet else {
            setStatus("this node has no VNet registry: there is no node to forget", .info)
            return
        }
        guard let vnetActions else {
            setStatus("forget-node is not available: no VNet actions were given to the console", .error)
            return
        }
        guard let status = view.status else {
            setStatus("the registry has not answered yet: no node to forget", .info)
            return
        }
        guard let name = selectedID(), let node = status.node(name) else {
            setStatus("select a LOST node to forget", .info)
            return
        }
        if let refusal = Self.forgetRefusal(node, view: view, now: now()) {
            setStatus(refusal, .error)
            return
        }
        do {
            let plan = try vnetActions.planForgetNode(node.name)
            state.overlays.append(.confirm(ConfirmState(plan: plan, openedAt: now())))
        } catch {
            setStatus("cannot plan forget-node: \(error)", .error)
        }
    }

    /// Why the console will not ask to forget `node`, or nil when it may.
    static func forgetRefusal(_ node: VNetNodeStatus, view: VNetView, now: Date) -> String? {
        if node.name == view.thisNode {
            return "refused: \(node.name) is this node; restart its agent instead of forgetting it"
        }
        if view.isStale, let status = view.status {
            let age = Format.age(max(0, now.timeIntervalSince(status.readAt)))
            return "refused: the VNet view is STALE (\(age)): cannot tell whether \(node.name) is still LOST"
        }
        if node.alive {
            let beat = node.heartbeatAge.map { ", last heartbeat \(Format.age($0)) ago" } ?? ""
            return "refused: \(node.name) is alive\(beat); only a LOST node can be forgotten"
        }
        return nil
    }
}
