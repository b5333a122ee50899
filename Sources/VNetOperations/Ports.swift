import VNetModel

/// What the operations need from the kernel's links, addresses and routes. The netlink adapter implements
/// it (`NetlinkKernel`); keeping it small is what lets one ADD be followed from main to netlink.
public protocol NodeKernel {
    /// Ensures the bridge exists, is up, and the node forwards for its pods (proxy ARP on the bridge so pods
    /// reach a gateway that lives beyond the node; IPv4 forwarding). Idempotent.
    func ensureBridge(name: String, mtu: Int, promiscuous: Bool) throws -> Link
    /// Makes traffic bridged between pods pass the `ip` family's hooks (br_netfilter's
    /// bridge-nf-call-iptables, per network namespace), where the security rules are: without it two pods on
    /// one bridge would reach each other unfiltered.
    func ensureBridgeFiltering() throws
    /// Creates a veth pair whose host end joins `bridge` and whose peer is born inside `netns` as `podIfname`.
    /// A host end of that name already there (a retried ADD's own, from an attempt that died) is replaced.
    func createVeth(host: String, podIfname: String, netns: String, mtu: Int, bridge: String, hairpin: Bool) throws -> VethPair
    /// Inside `netns`: the address on `ifname`, the interface and lo up, the routes. Without `ipv6`, `ifname`
    /// gets no IPv6 link-local address (only it: lo keeps ::1).
    func configurePod(netns: String, ifname: String, address: IPv4Prefix, routes: [RouteSpec], ipv6: Bool) throws
    /// A /32 route to the pod through the bridge, so the node (and portmap) reach it directly.
    func addHostRoute(to address: IPv4Address, bridge: String) throws
    /// Removes it; a missing route is success.
    func removeHostRoute(to address: IPv4Address, bridge: String) throws
    /// Deletes a link by name; a missing link is success. Returns whether it existed.
    @discardableResult func deleteLink(named name: String) throws -> Bool
    /// Every link of the node namespace with its counters.
    func links() throws -> [Link]
    /// Every link's counters by ifindex, without the rest (a much lighter dump than `links()`).
    func linkCounters() throws -> [Int32: LinkCounters]
    /// One link by name (its master resolved to a name), or nil: CHECK asks for two, not for all.
    func link(named name: String) throws -> Link?
    /// One link by ifindex (its master resolved to a name), or nil.
    func link(index: Int32) throws -> Link?
    /// The pod-side view for CHECK, or nil when the interface is missing.
    func inspectPod(netns: String, ifname: String) throws -> PodInterfaceState?
    /// The preferred source address for traffic to `destination`: the node's primary address.
    func sourceAddress(towards destination: IPv4Address) throws -> IPv4Address?
    /// What `path` holds, seen from this process's mount namespace.
    func namespacePath(_ path: String) -> NamespacePath
    /// `namespacePath` for one snapshot of many namespaces (a console refresh): it may take a namespace
    /// confirmed moments ago for alive while its directory has not changed (`NamespaceLiveness.survey`).
    func namespaceSurvey() -> (String) -> NamespacePath
}

extension NodeKernel {
    public func namespaceSurvey() -> (String) -> NamespacePath { { namespacePath($0) } }
    /// Whether `path` is a network namespace that can be entered from here.
    public func isNamespaceAlive(_ path: String) -> Bool { namespacePath(path) == .namespace }
}

/// What CHECK reads back from the pod's namespace.
public struct PodInterfaceState: Sendable, Hashable {
    public var mac: String
    public var up: Bool
    public var addresses: [IPv4Prefix]
    public var routes: [RouteSpec]
    public init(mac: String, up: Bool, addresses: [IPv4Prefix], routes: [RouteSpec]) {
        self.mac = mac
        self.up = up
        self.addresses = addresses
        self.routes = routes
    }
}

/// vnet's NAT table. The nftables adapter implements it (`NftablesNAT`).
public protocol NodeNAT {
    /// Makes the node-level rules right (creating or repairing them); `pods` re-fills the pod sets on a rebuild.
    func ensure(_ config: NATConfig, pods: () -> [NATPod]) throws
    /// Puts the pod into the table as `config` wants it: its address in the pod sets (and the sets of the
    /// security rules that select it), its public IP and host ports; one transaction.
    func addPod(_ pod: NATPod, config: NATConfig) throws
    /// Takes all of the pod out of the table, one transaction. A missing element is success.
    func removePod(_ pod: NATPod) throws
    /// Rebuilds the whole table for `config` holding `pods`, in one transaction (`vnetctl rules apply`).
    func rebuild(_ config: NATConfig, pods: [NATPod]) throws
    /// What is wrong with one pod's part of the table; empty when it is as `config` wants it (CHECK).
    func problems(of pod: NATPod, config: NATConfig) throws -> [String]
    func pods() throws -> Set<IPv4Address>
    /// Whether one pod's address is in the pod set (CHECK: one lookup, not a listing).
    func hasPod(_ address: IPv4Address) throws -> Bool
    func snapshot() throws -> NATSnapshot
    /// What is missing or different of the pod's public IP and host ports in the table (CHECK); empty when
    /// all is there.
    func translationProblems(_ pod: NATPod) throws -> [String]
}

extension NodeNAT {
    public func translationProblems(_ pod: NATPod) throws -> [String] { [] }
}
