#if canImport(Glibc)
import Glibc
#endif
import VNetModel
import VNetNetlink
import VNetSystem

/// `NodeKernel` on libmnl netlink, in the namespace of the thread that creates it (the node's).
///
/// Node-level settings made by `ensureBridge`: IPv4 forwarding, and proxy ARP on the bridge with no
/// delay, so pods whose gateway lives beyond the node (as on Azure) get the node's MAC for it and the node
/// routes their traffic; pods on the same bridge still talk directly.
public final class NetlinkKernel: NodeKernel {
    private let netlink: Netlink
    /// The console asks about every endpoint's namespace on every refresh (`namespaceSurvey`).
    private let liveness = NamespaceLiveness()

    public init() throws { netlink = try Netlink() }

    public func ensureBridge(name: String, mtu: Int, promiscuous: Bool) throws -> Link {
        let bridge = try netlink.ensureBridge(BridgeSpec(name: name, mtu: mtu, promiscuous: promiscuous))
        try Sysctl.ensure(.ipv4Forward, "1")
        try Sysctl.ensure(.proxyARP(name), "1")
        try Sysctl.ensure(Sysctl.Key("net/ipv4/neigh/\(name)/proxy_delay"), "0")
        return bridge
    }

    public func ensureBridgeFiltering() throws {
        let key = Sysctl.Key("net/bridge/bridge-nf-call-iptables")
        do {
            _ = try Sysctl.ensure(key, "1")
        } catch {
            throw OperationError(.nat, "cannot filter traffic between pods on the bridge: \(key) is not available (\(error)); "
                                 + "security rules need the kernel's br_netfilter (modprobe br_netfilter)")
        }
    }

    public func createVeth(host: String, podIfname: String, netns: String, mtu: Int, bridge: String, hairpin: Bool) throws -> VethPair {
        let namespace = try NetworkNamespace(path: netns)
        guard let master = try netlink.link(named: bridge) else {
            throw NetlinkError(operation: "create veth", object: host, errno: ENODEV, detail: "bridge \(bridge) is missing")
        }
        let spec = VethSpec(hostName: host, peerName: podIfname, peerNamespace: namespace, mtu: mtu,
                            master: master.index, hostUp: true, hairpin: hairpin)
        let pair = try createReplacing(spec)
        // The host end is a bridge port and needs no IPv6 of its own: left on, the kernel gives every port
        // a link-local address and routes once the pod's end comes up, and walks that whole IPv6 table on
        // every link change, under the rtnl lock, so each ADD would cost more with every pod on the node.
        // Written before the pod's end is up (the carrier is off until then, and with it IPv6's setup).
        // Best effort: a kernel without IPv6 has no such setting, and nothing depends on it.
        try? Sysctl.write(.disableIPv6(host), "1")
        return pair
    }

    /// Creates the pair, or when the host end's name is taken, deletes that link and creates it again.
    /// Create first, replace only then: a delete up front would cost every ADD a forked process (the
    /// detached delete) for a veth that is almost never there.
    private func createReplacing(_ spec: VethSpec) throws(NetlinkError) -> VethPair {
        do {
            return try netlink.createVeth(spec)
        } catch {
            guard error.errno == EEXIST, try netlink.deleteLinkWithoutAwaitingFree(named: spec.hostName) else { throw error }
        }
        return try netlink.createVeth(spec)
    }

    public func configurePod(netns: String, ifname: String, address: IPv4Prefix, routes: [RouteSpec], ipv6: Bool) throws {
        let namespace = try NetworkNamespace(path: netns)
        let pod = try Netlink(in: namespace)
        let gateway = routes.first { $0.dst.length == 0 }?.gw
        let others = routes.filter { $0.dst.length != 0 || $0.gw == nil }.map { Route(destination: $0.dst, gateway: $0.gw) }
        // Without IPv6 the interface gets no link-local address, set over netlink in the same batch rather than
        // by disable_ipv6 in procfs: every pod's namespace has an interface of that name, and procfs finds the
        // caller's among all of them, so that lookup costs more with every pod on the node.
        try pod.configureInterface(InterfaceSetup(name: ifname, address: address, gateway: gateway, routes: others,
                                                  ipv6LinkLocal: ipv6))
    }

    public func addHostRoute(to address: IPv4Address, bridge: String) throws {
        guard let link = try netlink.link(named: bridge) else {
            throw NetlinkError(operation: "add host route", object: "\(address)", errno: ENODEV, detail: "bridge \(bridge) is missing")
        }
        try netlink.replaceRoute(Self.hostRoute(address, link: link.index))
    }

    public func removeHostRoute(to address: IPv4Address, bridge: String) throws {
        guard let link = try netlink.link(named: bridge) else { return }
        try netlink.deleteRoute(Self.hostRoute(address, link: link.index))
    }

    static func hostRoute(_ address: IPv4Address, link: Int32) -> Route {
        Route(destination: IPv4Prefix(address: address, length: 32), outputIndex: link)
    }

    @discardableResult
    public func deleteLink(named name: String) throws -> Bool { try netlink.deleteLinkWithoutAwaitingFree(named: name) }

    public func links() throws -> [Link] { try netlink.links() }

    public func linkCounters() throws -> [Int32: LinkCounters] { try netlink.linkCounters() }

    public func link(named name: String) throws -> Link? { try netlink.link(named: name).map(withMaster) }

    public func link(index: Int32) throws -> Link? { try netlink.link(index: index).map(withMaster) }

    /// One link with its master's index resolved to a name, with one more request.
    private func withMaster(_ link: Link) throws -> Link {
        var link = link
        link.master = try link.masterIndex.flatMap { master in try netlink.link(index: master)?.name }
        return link
    }

    public func inspectPod(netns: String, ifname: String) throws -> PodInterfaceState? {
        guard let namespace = try? NetworkNamespace(path: netns) else { return nil }
        guard let view = try Netlink(in: namespace).inspectInterface(named: ifname) else { return nil }
        return PodInterfaceState(mac: view.link.mac, up: view.link.adminUp, addresses: view.addresses.map(\.prefix),
                                 routes: view.routes.map { RouteSpec(dst: $0.destination, gw: $0.gateway) })
    }

    public func sourceAddress(towards destination: IPv4Address) throws -> IPv4Address? {
        try netlink.primaryAddress(towards: destination)?.address
    }

    public func namespacePath(_ path: String) -> NamespacePath { liveness.status(path) }
    public func namespaceSurvey() -> (String) -> NamespacePath { liveness.survey() }
}
