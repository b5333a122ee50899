#if canImport(Glibc)
import Glibc
#endif
import VNetModel
import VNetState
import VNetSystem

/// A real, sandboxed node for `vnet-console --demo` (what `make run` opens): namespaces for the node, a VNet
/// fabric, an internet host and a peer host, pods attached through the operations layer (the same code the
/// plugin runs), and a little traffic so counters move. Everything carries a per-run prefix and is removed
/// on exit, also when the console fails or is interrupted. The machine's own namespace is never touched.
public final class DemoSandbox {
    public static let network = "demo"
    static let vnet = "10.240.0.0/16"
    static let gateway = "10.240.0.1"
    static let primary = "10.240.0.4"
    static let internet = "203.0.113.10"
    static let peer = "192.168.1.10"
    static let pool = "10.240.16.10-10.240.17.250"

    let prefix: String
    public let stateDir: String
    private(set) var namespaces: [String] = []
    /// The ping of each pod that has one, by the pod's namespace: stopped by pid, before its pod is broken
    /// (a process inside keeps a namespace alive) and at teardown.
    private var traffic: [String: pid_t] = [:]
    /// The demo node's pods attached by `attachPods`: the only pods the break key may take.
    var pods: [DemoPod] = []
    /// Where the installed `vnet` plugin is (beside vnet-console), for the demo's failed ADD; nil without it.
    let pluginDirectory: String?
    /// etcd and the vnetd of each node, stopped (by pid) before the namespaces go.
    var processes: [pid_t] = []
    var registryNamespace: String?
    private let vnet: DemoVNet?
    private var torndown = false

    /// Whether the demo is a VNet of three nodes (etcd and vnetd were found).
    public var hasVNet: Bool { vnet != nil }

    public var nodeNamespace: String { "\(prefix)-node" }

    /// `binDirectory`: where vnetd and vnet are (next to vnet-console); without them, or without etcd, the
    /// demo is a single node.
    public init(binDirectory: String? = nil) throws {
        vnet = DemoVNet(binDirectory: binDirectory)
        pluginDirectory = binDirectory.flatMap { Files.exists($0 + "/vnet") ? $0 : nil }
        prefix = "vdemo\(String(getpid(), radix: 36))"
        var template = Array("/tmp/vnet-demo-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError("mkdtemp", path: "/tmp/vnet-demo-XXXXXX")
        }
        stateDir = String(cString: made)
    }

    deinit { teardown() }

    func ip(_ arguments: String...) throws { try Subprocess.run(["ip"] + arguments) }

    func addNamespace(_ suffix: String) throws -> String {
        let name = "\(prefix)-\(suffix)"
        try ip("netns", "add", name)
        namespaces.append(name)
        try ip("-n", name, "link", "set", "lo", "up")
        return name
    }

    /// Deletes one of the demo's own namespaces (stopping its ping first); names the demo did not make are
    /// refused, so nothing outside the sandbox is ever removed.
    func deleteNamespace(_ name: String) throws(DemoError) {
        guard namespaces.contains(name), name.hasPrefix(prefix + "-") else {
            throw DemoError("\(name) is not a namespace of this demo; nothing was removed")
        }
        if let pid = traffic.removeValue(forKey: name) { Subprocess.stop(pid) }
        do { try ip("netns", "delete", name) } catch { throw DemoError("ip netns delete \(name): \(error)") }
        namespaces.removeAll { $0 == name }
    }

    /// A veth pair made inside `a` with its peer born in `b`: nothing passes through the root namespace.
    func link(_ a: String, _ aName: String, _ b: String, _ bName: String) throws {
        try ip("-n", a, "link", "add", aName, "type", "veth", "peer", "name", bName, "netns", b)
    }

    /// Builds the topology of docs/operations.md ("the demo node") and records the network's configuration.
    public func build() throws {
        let node = try addNamespace("node")
        let fabric = try addNamespace("fabric")
        let inet = try addNamespace("internet")
        let peerHost = try addNamespace("peer")
        try Subprocess.run(["ip", "netns", "exec", fabric, "sysctl", "-qw", "net.ipv4.ip_forward=1"])
        try ip("-n", fabric, "addr", "add", "\(Self.gateway)/32", "dev", "lo")
        try link(node, "eth0", fabric, "fa")
        try ip("-n", node, "addr", "add", "\(Self.primary)/16", "dev", "eth0")
        try ip("-n", node, "link", "set", "eth0", "up")
        try ip("-n", node, "route", "add", "default", "via", Self.gateway, "dev", "eth0")
        try ip("-n", fabric, "link", "set", "fa", "up")
        try Subprocess.run(["ip", "netns", "exec", fabric, "sysctl", "-qw", "net.ipv4.conf.fa.proxy_arp=1"])
        try ip("-n", fabric, "route", "add", "\(Self.primary)/32", "dev", "fa")
        try ip("-n", fabric, "route", "add", "10.240.16.0/20", "via", Self.primary, "dev", "fa")
        for (host, fabricLink, address, router) in [(inet, "fi", Self.internet, "203.0.113.1"), (peerHost, "fp", Self.peer, "192.168.1.1")] {
            try link(host, "eth0", fabric, fabricLink)
            try ip("-n", host, "addr", "add", "\(address)/24", "dev", "eth0")
            try ip("-n", host, "link", "set", "eth0", "up")
            try ip("-n", host, "route", "add", "default", "via", router)
            try ip("-n", fabric, "addr", "add", "\(router)/24", "dev", fabricLink)
            try ip("-n", fabric, "link", "set", fabricLink, "up")
        }
        let store = try StateStore(dataDir: stateDir, network: Self.network)
        store.recordConfig(JSONWriter.bytes(configuration) + [UInt8(ascii: "\n")])
        if let vnet {
            try startRegistry(vnet, node: node)
            try startAgent(vnet, node: node, plugin: configuration, directory: stateDir)
            try startOtherNodes(vnet)
        }
    }

    /// The conflist entry the demo node runs with, as the plugin would record it.
    var configuration: JSONValue {
        .object([
            "cniVersion": .string("1.1.0"), "name": .string(Self.network), "type": .string("vnet"),
            "bridge": .string("vnet0"), "vnetCIDRs": .array([.string(Self.vnet)]),
            "nonMasqueradeCIDRs": .array([.string("192.168.0.0/16")]), "snat": .bool(true),
            "securityRules": Self.securityRules,
            "ipam": .object([
                "type": .string("vnet-ipam"), "dataDir": .string(stateDir),
                "pool": .object(["source": .string("static"), "subnet": .string(Self.vnet), "gateway": .string(Self.gateway),
                                 "addresses": .array([.string(Self.pool)]),
                                 "dns": .object(["nameservers": .array([.string("168.63.129.16")])])]),
                "maxPodsPerNode": .number(250), "maxPodsPerVNet": .number(Double(vnet == nil ? 16000 : DemoVNet.limit)),
                "cooldownSeconds": .number(30),
            ].merging(vnet == nil ? [:] : ["registry": DemoVNet.registry(node: "node-a")]) { $1 }),
        ])
    }

    /// A few rules, so the Security screen (8) has something to show and verify: web pods open to the
    /// internet on 80 and 443, ssh closed to every pod, and no mail sent out.
    static var securityRules: JSONValue {
        func rule(_ name: String, _ priority: Int, _ direction: String, _ access: String, _ source: String,
                  _ destination: String, _ ports: [String], pods: [String] = []) -> JSONValue {
            var object: [String: JSONValue] = [
                "name": .string(name), "priority": .number(Double(priority)), "direction": .string(direction),
                "access": .string(access), "protocol": .string("tcp"), "sourceAddressPrefixes": .array([.string(source)]),
                "destinationAddressPrefixes": .array([.string(destination)]), "destinationPortRanges": .array(ports.map(JSONValue.string)),
            ]
            if !pods.isEmpty { object["pods"] = .array(pods.map(JSONValue.string)) }
            return .object(object)
        }
        return .array([rule("web-in", 100, "inbound", "allow", "Internet", "*", ["80", "443"], pods: ["web/*"]),
                       rule("no-ssh", 200, "inbound", "deny", "*", "*", ["22"]),
                       rule("no-mail-out", 100, "outbound", "deny", "*", "Internet", ["25"])])
    }

    /// Creates `count` pod namespaces and attaches them through `node` (the caller is in the node namespace).
    public func attachPods(_ count: Int, node: Node) throws {
        let teams = ["web", "api", "cache", "batch", "ingress"]
        for index in 0..<count {
            let name = try addNamespace("pod\(index)")
            let key = AttachmentKey(containerID: "demo\(String(format2: index))", ifname: "eth0")
            let pod = PodIdentity(namespace: teams[index % teams.count], name: "\(teams[index % teams.count])-\(index)")
            _ = try node.attach(AttachRequest(key: key, netns: "/var/run/netns/\(name)", pod: pod))
            pods.append(DemoPod(namespace: name, key: key, identity: pod))
        }
    }

    /// A ping per few pods to the internet host (SNAT counters move) and one to the peer (no SNAT).
    public func startTraffic() {
        let live = pods.map(\.namespace).filter(namespaces.contains)
        for (index, pod) in live.prefix(6).enumerated() {
            let target = index % 3 == 2 ? Self.peer : Self.internet
            if let pid = try? Subprocess.start(["ip", "netns", "exec", pod, "ping", "-q", "-i", "1", "-s", "\(64 + index * 100)", target]) {
                traffic[pod] = pid
            }
        }
    }

    /// Removes everything the demo made: traffic processes (by pid), namespaces, the state directory.
    public func teardown() {
        guard !torndown else { return }
        torndown = true
        for pid in traffic.values { Subprocess.stop(pid) }
        traffic = [:]
        // The agents first, all at once (their heartbeats go while etcd still answers), etcd last: a terminal
        // that went away gives the demo about two seconds.
        let agents = processes.dropFirst(), etcd = processes.first
        for pid in agents { kill(pid, SIGTERM) }
        for pid in agents { Subprocess.wait(pid) }
        if let etcd { Subprocess.stop(etcd) }
        processes = []
        for name in namespaces.reversed() { try? ip("netns", "delete", name) }
        namespaces = []
        try? Subprocess.run(["rm", "-rf", "--", stateDir])
    }
}

extension String {
    /// Two digits at least, for readable container IDs.
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
}

extension DemoSandbox {
    /// Removes namespaces left by demo runs whose process is gone (a demo killed with SIGKILL).
    public static func removeAbandoned() {
        for name in Files.list("/var/run/netns") where name.hasPrefix("vdemo") {
            let id = name.dropFirst(5).prefix { $0 != "-" }
            guard let pid = Int32(id, radix: 36), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? Subprocess.run(["ip", "netns", "delete", name])
        }
    }
}
