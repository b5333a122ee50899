#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetIPAM
import VNetModel
import VNetState
import VNetSystem

/// What was plugged in: everything a CNI result lists.
public struct Attachment: Sendable, Hashable {
    public var bridge: Link
    public var veth: VethPair
    public var podIfname: String
    public var netns: String
    public var mtu: Int
    public var allocation: IPAMAllocation
}

extension Node {
    /// ADD: plugs the pod in. Every completed step is undone if a later one fails, IPAM included, and the
    /// error names the failed step. Test-only fault points `add:<step>` follow each step.
    public func attach(_ request: AttachRequest) throws(OperationError) -> Attachment {
        var undo = UndoStack()
        var step = "netns"
        do {
            guard kernel.isNamespaceAlive(request.netns) else {
                throw OperationError(.notFound, "CNI_NETNS \(request.netns) is not a network namespace")
            }
            try FaultPoint.hit("add:netns")

            step = "ipam"
            let hostName = hostVeth(for: request.key)
            let config = self.config
            let now = Date()
            let allocation = try addresses.acquire(request) { allocation in
                Endpoint(key: request.key, phase: .attaching, address: allocation.address, gateway: allocation.gateway,
                         hostVeth: hostName, netns: request.netns, bridge: config.bridge, pod: request.pod, createdAt: now,
                         publicIP: request.publicIP, portMappings: request.portMappings)
            }
            undo.push("ipam") { try addresses.release(request.key) }
            // A NAT rebuild (first use, or repair) fills the pod set from the state, which already names this
            // pod: its element must go on any failure from here on, whichever step put it there.
            let natPod = NATPod(address: allocation.address.address, pod: request.pod, publicIP: request.publicIP,
                                portMappings: request.portMappings)
            undo.push("nat-pod") { try nat.removePod(natPod) }
            try FaultPoint.hit("add:ipam")

            // Node-level, after IPAM: an ADD refused by the pool (exhausted, limit) leaves the node untouched.
            step = "bridge"
            let bridge = try kernel.ensureBridge(name: config.bridge, mtu: config.mtu, promiscuous: config.promiscMode)
            try FaultPoint.hit("add:bridge")

            step = "nat"
            let natConfig = try natConfig(subnet: allocation.address.canonical, gateway: allocation.gateway)
            try nat.ensure(natConfig, pods: recordedPods)
            if natConfig.security != nil { try kernel.ensureBridgeFiltering() }
            try FaultPoint.hit("add:nat")

            // The pod's elements go in before its veth exists: under security rules a pod is reachable only
            // once its address is in the filter sets, never unfiltered for a moment in between.
            step = "nat-pod"
            try nat.addPod(natPod, config: natConfig)
            try FaultPoint.hit("add:nat-pod")

            step = "veth"
            // A retried ADD may find its own veth from an attempt that died: the name is ours, and createVeth
            // replaces it.
            // A pod reaching its own host port or public IP through the node comes back on its own bridge port:
            // br_netfilter bridges a frame DNAT-ed to an address behind the bridge it came from, and the bridge
            // sends nothing back out of the port it came in on unless the port is in hairpin mode.
            let hairpin = config.hairpinMode || request.publicIP != nil || !request.portMappings.isEmpty
            let veth = try kernel.createVeth(host: hostName, podIfname: request.key.ifname, netns: request.netns,
                                             mtu: config.mtu, bridge: config.bridge, hairpin: hairpin)
            undo.push("veth") { try kernel.deleteLink(named: hostName) }
            try FaultPoint.hit("add:veth")

            step = "pod-address"
            var routes = allocation.routes
            routes += config.routes.map { RouteSpec(dst: $0.dst, gw: $0.gw ?? allocation.gateway) }
            try kernel.configurePod(netns: request.netns, ifname: request.key.ifname, address: allocation.address, routes: routes,
                                    ipv6: config.podIPv6)
            try FaultPoint.hit("add:pod-address")

            step = "host-route"
            try kernel.addHostRoute(to: allocation.address.address, bridge: config.bridge)
            undo.push("host-route") { try kernel.removeHostRoute(to: allocation.address.address, bridge: config.bridge) }
            try FaultPoint.hit("add:host-route")

            // No second commit: the endpoint was recorded (phase attaching) with the lease, and from here the
            // kernel is the record that it is attached (its host veth exists). That saves a locked,
            // fsync'd commit on every ADD.

            return Attachment(bridge: bridge, veth: veth, podIfname: request.key.ifname, netns: request.netns,
                              mtu: config.mtu, allocation: allocation)
        } catch {
            var failure = OperationError.wrap(error, step: step)
            failure.rollbackProblems = undo.unwind()
            throw failure
        }
    }
}
