#if canImport(Glibc)
import Glibc
#endif
import VNetModel
import VNetState
import VNetSystem

/// The demo's VNet: one etcd member and three sandbox nodes, each with its own vnetd, so `make run` opens a
/// console that shows a VNet of three nodes. etcd listens only inside the demo's own registry namespace
/// (as private as loopback, and reachable from the node namespaces over their second veth, the way VMs reach
/// their cluster); its data lives in the demo's temporary directory. Without etcd or vnetd the demo is one
/// node, as before.
struct DemoVNet {
    static let name = "demo"
    static let limit = 64
    static let step = 8
    static let registryAddress = "172.31.254.1"
    static var endpoint: String { "http://\(registryAddress):2379" }
    /// The other nodes: name, pool, pods.
    static let others: [(name: String, pool: String, pods: Int)] = [
        ("node-b", "10.240.32.10-10.240.33.250", 11), ("node-c", "10.240.48.10-10.240.49.250", 3),
    ]

    let etcd: String
    let binDirectory: String

    /// nil when etcd or vnetd is missing (then the demo has no VNet).
    init?(binDirectory: String?) {
        let candidates: [String] = ["/usr/bin/etcd", "/usr/local/bin/etcd"]
        guard let binDirectory, Files.exists(binDirectory + "/vnetd"), Files.exists(binDirectory + "/vnet"),
              let etcd = candidates.first(where: { access($0, X_OK) == 0 }) else { return nil }
        self.etcd = etcd
        self.binDirectory = binDirectory
    }

    /// How long vnetd leaves a leak before reclaiming it itself: half an hour, not the default five minutes,
    /// so the demo's leak (and the ones `B` makes) wait for the newcomer to reclaim them from the console.
    static let autoReclaimAfterSeconds = 1800

    /// `ipam.registry` of node `name`.
    static func registry(node: String) -> JSONValue {
        .object(["vnet": .string(name), "endpoints": .array([.string(endpoint)]), "node": .string(node),
                 "reservationStep": .number(Double(step)), "autoReclaimAfterSeconds": .number(Double(autoReclaimAfterSeconds))])
    }
}

extension DemoSandbox {
    /// Starts the registry namespace and etcd, and joins the demo node to it.
    func startRegistry(_ vnet: DemoVNet, node: String) throws {
        let registry = try addNamespace("registry")
        try ip("-n", registry, "link", "add", "br0", "type", "bridge")
        try ip("-n", registry, "addr", "add", "\(DemoVNet.registryAddress)/24", "dev", "br0")
        try ip("-n", registry, "link", "set", "br0", "up")
        let log = open(stateDir + "/etcd.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        defer { close(log) }
        let peer = "http://127.0.0.1:2380"
        processes.append(try Subprocess.start(["ip", "netns", "exec", registry, vnet.etcd, "--name", "demo",
                                               "--data-dir", stateDir + "/etcd", "--listen-client-urls", DemoVNet.endpoint,
                                               "--advertise-client-urls", DemoVNet.endpoint, "--listen-peer-urls", peer,
                                               "--initial-advertise-peer-urls", peer, "--initial-cluster", "demo=\(peer)",
                                               "--log-level", "error"], output: log))
        try join(node, registry: registry, index: 1)
        registryNamespace = registry
    }

    /// A second veth from `node` onto the registry's bridge.
    func join(_ node: String, registry: String, index: Int) throws {
        try link(node, "reg0", registry, "n\(index)")
        try ip("-n", node, "addr", "add", "172.31.254.\(10 + index)/24", "dev", "reg0")
        try ip("-n", node, "link", "set", "reg0", "up")
        try ip("-n", registry, "link", "set", "n\(index)", "master", "br0")
        try ip("-n", registry, "link", "set", "n\(index)", "up")
    }

    /// Starts vnetd for the network configured by `plugin` in `node`, and waits until it was granted room.
    func startAgent(_ vnet: DemoVNet, node: String, plugin: JSONValue, directory: String) throws {
        let conflist = JSONValue.object(["cniVersion": .string("1.1.0"), "name": .string(Self.network), "plugins": .array([plugin])])
        let path = directory + "/\(node).conflist"
        try Files.replaceAtomically(path, with: JSONWriter.bytes(conflist), mode: 0o600, sync: false)
        let log = open(directory + "/vnetd.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        defer { close(log) }
        processes.append(try Subprocess.start(["ip", "netns", "exec", node, vnet.binDirectory + "/vnetd", "--config", path,
                                               "--give-back-after", "30"], output: log))
        let grant = directory + "/" + Self.network + "/reservation.json"
        for _ in 0..<150 where !Files.exists(grant) { MonotonicClock.sleep(milliseconds: 100) }
        guard Files.exists(grant) else {
            throw SystemError("vnetd of \(node) was granted nothing in 15 s; see", path: directory + "/vnetd.log", errno: ETIMEDOUT)
        }
    }

    /// The other nodes of the VNet: namespace, state, vnetd, and pods attached with the vnet plugin itself.
    func startOtherNodes(_ vnet: DemoVNet) throws {
        guard let registry = registryNamespace else { return }
        for (offset, other) in DemoVNet.others.enumerated() {
            let node = try addNamespace(other.name)
            try join(node, registry: registry, index: offset + 2)
            let directory = stateDir + "/" + other.name
            guard mkdir(directory, 0o700) == 0 || errno == EEXIST else { throw SystemError("mkdir", path: directory) }
            let plugin = JSONValue.object([
                "cniVersion": .string("1.1.0"), "name": .string(Self.network), "type": .string("vnet"), "bridge": .string("vnet0"),
                "vnetCIDRs": .array([.string(Self.vnet)]), "snat": .bool(false), "snatAddress": .string("172.31.254.\(12 + offset)"),
                "ipam": .object([
                    "type": .string("vnet-ipam"), "dataDir": .string(directory), "maxPodsPerVNet": .number(Double(DemoVNet.limit)),
                    "pool": .object(["source": .string("static"), "subnet": .string(Self.vnet), "gateway": .string(Self.gateway),
                                     "addresses": .array([.string(other.pool)])]),
                    "registry": DemoVNet.registry(node: other.name),
                ]),
            ])
            try startAgent(vnet, node: node, plugin: plugin, directory: directory)
            for index in 0..<other.pods {
                let pod = try addNamespace("\(other.name)-pod\(index)")
                try Subprocess.run(["env", "CNI_COMMAND=ADD", "CNI_CONTAINERID=\(other.name)-\(String(format2: index))",
                                    "CNI_NETNS=/var/run/netns/\(pod)", "CNI_IFNAME=eth0", "CNI_PATH=\(vnet.binDirectory)",
                                    "ip", "netns", "exec", node, vnet.binDirectory + "/vnet"], input: JSONWriter.bytes(plugin))
            }
        }
    }
}
