import VNetModel
import VNetState
import VNetSystem

extension Node {
    /// DEL: removes the pod's NAT element, host route, veth, endpoint and lease. Succeeds whether the netns
    /// still exists, is gone, or was never named, and for attachments it does not know. `hint` is the
    /// address from prevResult, used when the state has no record.
    ///
    /// The veth is deleted on a thread of its own while the lease is released: the kernel holds a veth
    /// deletion for an RCU barrier (~15-20 ms), most of a DEL. Releasing first is safe because the NAT
    /// element and host route are gone by then, the pod's side goes with the veth, and a released address
    /// cools down (`cooldownSeconds`) before anyone gets it. If the deletion fails, DEL fails and the
    /// runtime's retry deletes the veth by its name, which the key alone gives.
    public func detach(_ key: AttachmentKey, hint: IPv4Address? = nil) throws(OperationError) {
        var step = "state"
        do {
            let state = try store.load()
            let endpoint = state.endpoint(for: key)
            let lease = state.lease(for: key)
            // Only an address this attachment holds (or held, per the runtime) is touched; never another pod's.
            var address = endpoint?.address.address ?? lease?.address ?? hint
            if let candidate = address, let holder = state.lease(holding: candidate), holder.key != key { address = nil }
            try FaultPoint.hit("del:state")

            if let address {
                step = "nat-pod"
                try nat.removePod(address)
                try FaultPoint.hit("del:nat-pod")
                step = "host-route"
                try kernel.removeHostRoute(to: address, bridge: endpoint?.bridge ?? config.bridge)
                try FaultPoint.hit("del:host-route")
            }
            step = "veth"
            let deletion = try kernel.startDeletingLink(named: endpoint?.hostVeth ?? hostVeth(for: key))
            step = "ipam"
            let released = Result { try addresses.release(key) }
            step = "veth"
            _ = try deletion.wait()
            try FaultPoint.hit("del:veth")
            step = "ipam"
            try released.get()
            try FaultPoint.hit("del:ipam")
        } catch {
            throw OperationError.wrap(error, step: step)
        }
    }
}
