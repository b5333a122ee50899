import VNetModel
import VNetState
import VNetSystem

extension Node {
    /// DEL: removes the pod's NAT element, host route, veth, endpoint and lease. Succeeds whether the netns
    /// still exists, is gone, or was never named, and for attachments it does not know. `hint` is the
    /// address from prevResult, used when the state has no record.
    public func detach(_ key: AttachmentKey, hint: IPv4Address? = nil) throws(OperationError) {
        var step = "state"
        do {
            let state = try store.load(for: key)
            let endpoint = state.endpoint
            let lease = state.lease
            // Only an address this attachment holds (or held, per the runtime) is touched; never another pod's.
            var address = endpoint?.address.address ?? lease?.address ?? hint
            if let candidate = address, let holder = state.holder(of: candidate), holder != key { address = nil }
            try FaultPoint.hit("del:state")

            // The veth goes first: under security rules the pod must not stay reachable once its address has
            // left the filter sets.
            step = "veth"
            try kernel.deleteLink(named: endpoint?.hostVeth ?? hostVeth(for: key))
            try FaultPoint.hit("del:veth")
            if let address {
                step = "host-route"
                try kernel.removeHostRoute(to: address, bridge: endpoint?.bridge ?? config.bridge)
                try FaultPoint.hit("del:host-route")
                step = "nat-pod"
                try nat.removePod(endpoint.map(NATPod.init) ?? NATPod(address: address))
                try FaultPoint.hit("del:nat-pod")
            }

            step = "ipam"
            try addresses.release(key)
            try FaultPoint.hit("del:ipam")
        } catch {
            throw OperationError.wrap(error, step: step)
        }
    }
}
