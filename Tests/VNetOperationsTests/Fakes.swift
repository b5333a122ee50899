import Glibc
import VNetModel
@testable import VNetOperations

/// An in-memory kernel for testing the operations' ordering and rollback. The real kernel is exercised by
/// the netlink tests and the end-to-end suite; this one records calls and can fail any of them.
final class FakeKernel: NodeKernel {
    var linkTable: [String: Link] = [:]
    var hostRoutes = Set<IPv4Address>()
    var podAddresses: [String: IPv4Prefix] = [:]
    var aliveNamespaces = Set<String>()
    /// Paths that exist but are no network namespace from here (bound in another mount namespace).
    var unreadableNamespaces = Set<String>()
    var failOn: String?
    var calls: [String] = []
    var linkDumps = 0

    struct Failure: Error, CustomStringConvertible { var description: String }

    private func enter(_ name: String) throws {
        calls.append(name)
        if failOn == name { throw Failure(description: "\(name) failed (errno \(EPERM))") }
    }

    func ensureBridgeFiltering() throws {}

    func ensureBridge(name: String, mtu: Int, promiscuous: Bool) throws -> Link {
        try enter("bridge")
        linkTable[name] = Link(index: 1, name: name, kind: "bridge", master: nil, operState: .up, adminUp: true, mtu: mtu,
                               mac: "02:00:00:00:00:01", counters: LinkCounters())
        return Link(index: 1, name: name, mac: "02:00:00:00:00:01")
    }

    func createVeth(host: String, podIfname: String, netns: String, mtu: Int, bridge: String, hairpin: Bool) throws -> VethPair {
        try enter("veth")
        linkTable[host] = Link(index: Int32(linkTable.count + 2), name: host, kind: "veth", master: bridge, operState: .up,
                               adminUp: true, mtu: mtu, mac: "02:00:00:00:00:02", counters: LinkCounters(), peerNamespaceID: 0)
        return VethPair(host: Link(index: 2, name: host, mac: "02:00:00:00:00:02"), peerName: podIfname, peerMAC: "02:00:00:00:00:03")
    }

    func configurePod(netns: String, ifname: String, address: IPv4Prefix, routes: [RouteSpec], ipv6: Bool) throws {
        try enter("pod-address")
        podAddresses[netns] = address
    }

    func addHostRoute(to address: IPv4Address, bridge: String) throws {
        try enter("host-route")
        hostRoutes.insert(address)
    }

    func removeHostRoute(to address: IPv4Address, bridge: String) throws { hostRoutes.remove(address) }

    func deleteLink(named name: String) throws -> Bool { linkTable.removeValue(forKey: name) != nil }

    func links() throws -> [Link] {
        linkDumps += 1
        return Array(linkTable.values)
    }

    func linkCounters() throws -> [Int32: LinkCounters] {
        Dictionary(linkTable.values.map { ($0.index, $0.counters) }, uniquingKeysWith: { first, _ in first })
    }

    func link(named name: String) throws -> Link? { linkTable[name] }

    func link(index: Int32) throws -> Link? { linkTable.values.first { $0.index == index } }

    func inspectPod(netns: String, ifname: String) throws -> PodInterfaceState? {
        podAddresses[netns].map {
            PodInterfaceState(mac: "02:00:00:00:00:03", up: true, addresses: [$0],
                              routes: [RouteSpec(dst: IPv4Prefix("0.0.0.0/0")!, gw: IPv4Address("10.240.0.1"))])
        }
    }

    func sourceAddress(towards destination: IPv4Address) throws -> IPv4Address? { IPv4Address("10.240.0.4") }

    func namespacePath(_ path: String) -> NamespacePath {
        aliveNamespaces.contains(path) ? .namespace : unreadableNamespaces.contains(path) ? .notNamespace : .missing
    }
}

final class FakeNAT: NodeNAT {
    var podSet = Set<IPv4Address>()
    var failOn: String?

    func ensure(_ config: NATConfig, pods: () -> [NATPod]) throws {
        if failOn == "nat" { throw FakeKernel.Failure(description: "nat failed") }
    }
    func addPod(_ pod: NATPod, config: NATConfig) throws {
        if failOn == "nat-pod" { throw FakeKernel.Failure(description: "nat-pod failed") }
        podSet.insert(pod.address)
    }
    func removePod(_ pod: NATPod) throws { podSet.remove(pod.address) }
    func rebuild(_ config: NATConfig, pods: [NATPod]) throws { podSet = Set(pods.map(\.address)) }
    func problems(of pod: NATPod, config: NATConfig) throws -> [String] { podSet.contains(pod.address) ? [] : ["missing"] }
    func pods() throws -> Set<IPv4Address> { podSet }
    func hasPod(_ address: IPv4Address) throws -> Bool { podSet.contains(address) }
    func snapshot() throws -> NATSnapshot { NATSnapshot(present: true, snatAddress: nil, rules: [], perPod: []) }
}
