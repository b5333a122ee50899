#if canImport(Glibc)
import Glibc
#endif
import VNetModel
import VNetState
import VNetSystem

/// Why a demo step that breaks something on purpose could not (a demo pod to break, a namespace to remove).
public struct DemoError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// One pod the demo attached to its node: its namespace (one of the demo's), attachment and name.
struct DemoPod: Hashable, Sendable {
    var namespace: String
    var key: AttachmentKey
    var identity: PodIdentity
}

/// The trouble the demo shows on purpose, so that the console has something to be for: a pod whose namespace
/// vanished without DEL (a leak to reclaim on screen 5), a failed ADD in the event log (the plugin's own
/// record, code and message), and a break key that makes one more leak. All of it stays inside the sandbox:
/// only namespaces the demo made (`deleteNamespace` refuses others), only the demo's network.
extension DemoSandbox {
    /// The one line the overview opens with in the demo (`ConsoleConfiguration.demoHint`).
    public static let hint = "Demo: 5 Leaks: a pod to reclaim (r); 7 Events: a failed ADD; B: break a pod"

    /// How long to wait for the kernel to destroy a deleted namespace (and the pod's veth with it): until
    /// then the veth's live peer makes the pod look alive, and the leak is not one yet.
    static let namespaceTeardownSeconds = 10.0

    /// Attaches one more pod, like the others, then deletes its network namespace without a DEL, as a
    /// runtime that lost a pod would: its address stays leased and its endpoint recorded, and the Leaks
    /// screen shows one suspect (netns gone, no veth) that `r` reclaims. Returns the leaked address.
    @discardableResult
    public func attachVanishedPod(node: Node) throws -> IPv4Address {
        let name = try addNamespace("gone0")
        let key = AttachmentKey(containerID: "demo-gone", ifname: "eth0")
        let attachment = try node.attach(AttachRequest(key: key, netns: "/var/run/netns/\(name)",
                                                       pod: PodIdentity(namespace: "batch", name: "batch-vanished")))
        try deleteNamespace(name)
        waitForLinkGone(attachment.veth.host.name, node: node, seconds: Self.namespaceTeardownSeconds)
        return attachment.allocation.address.address
    }

    /// Runs the installed `vnet` plugin as a runtime would, in the node's namespace with the network's
    /// configuration, for an ADD that asks for an address outside the pool (CNI_ARGS IP=). The pool refuses
    /// it, and the plugin itself records the failed ADD with its CNI code and message in the network's event
    /// log, where `vnetctl events --failed` (and the console's events screen) show it. Returns nil when the
    /// log holds the failure, else why not: the demo goes on either way.
    public func recordRefusedAdd() -> String? {
        guard let plugins = pluginDirectory else { return "no vnet plugin beside vnet-console: the demo has no failed ADD" }
        let log = EventLog(directory: stateDir + "/" + Self.network)
        let before = log.read().events.filter(\.failed).count
        let netns: String
        do { netns = try addNamespace("refused0") } catch { return "the failed ADD's namespace: \(error)" }
        defer { try? deleteNamespace(netns) }
        // Outside the pool (10.240.16.10-10.240.17.250) yet inside the VNet: a pinned address the node cannot give.
        let outside = "10.240.99.99"
        do {
            try Subprocess.run(["env", "CNI_COMMAND=ADD", "CNI_CONTAINERID=demo-pinned", "CNI_NETNS=/var/run/netns/\(netns)",
                                "CNI_IFNAME=eth0", "CNI_PATH=\(plugins)",
                                "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=batch;K8S_POD_NAME=batch-pinned;IP=\(outside)",
                                "ip", "netns", "exec", nodeNamespace, plugins + "/vnet"], input: JSONWriter.bytes(configuration))
            return "the plugin accepted the ADD meant to fail (IP=\(outside)); the demo has no failed ADD"
        } catch {
            // The refusal is the point: the plugin exits non-zero with its CNI error on stdout.
        }
        return log.read().events.filter(\.failed).count > before ? nil : "the refused ADD left no failed event in \(log.path)"
    }

    /// The demo's break key: deletes the namespace of one healthy demo pod (the last attached one still
    /// running), stopping its ping first, so its address leaks as a vanished pod's does. Only the demo's own
    /// pods are candidates: pods attached from the console, and the VNet's other nodes, are left alone.
    public func breakPod(node: Node) throws(DemoError) -> String {
        let leased: Set<AttachmentKey>
        do { leased = Set(try node.store.load().leases.map(\.key)) } catch { throw DemoError("cannot read the demo's state: \(error)") }
        guard let pod = pods.last(where: { namespaces.contains($0.namespace) && leased.contains($0.key) }) else {
            throw DemoError("no healthy demo pod is left to break")
        }
        try deleteNamespace(pod.namespace)
        let gone = waitForLinkGone(node.hostVeth(for: pod.key), node: node, seconds: 3)
        let address = try? node.store.load().lease(for: pod.key)?.address
        let what = "broke \(pod.identity.display) (\(address?.description ?? pod.key.description)): its netns is gone without DEL"
        return what + (gone ? "; 5 Leaks shows it, r reclaims it" : "; it shows on 5 Leaks once the kernel has removed its veth")
    }

    /// Waits (bounded) until the host veth `name` is gone, which the kernel does when it destroys the pod's
    /// namespace a moment after the last reference went; true once it is.
    @discardableResult
    func waitForLinkGone(_ name: String, node: Node, seconds: Double) -> Bool {
        // A netlink error is no answer: only a link looked up and not found is gone.
        func gone() -> Bool {
            do { return try node.kernel.link(named: name) == nil } catch { return false }
        }
        let deadline = MonotonicClock.seconds() + seconds
        while MonotonicClock.seconds() < deadline {
            if gone() { return true }
            MonotonicClock.sleep(milliseconds: 50)
        }
        return gone()
    }
}
