import Foundation
import VNetModel
@testable import VNetConsole

/// A fixed node for goldens: five pods (one attaching, one whose netns and veth are gone), an orphan
/// veth, NAT with counters, two leak suspects and three alerts; and the same node two seconds earlier,
/// so rates are known numbers.
enum FakeSnapshots {
    /// 2024-05-01T12:00:00Z
    static let takenAt = Date(timeIntervalSince1970: 1_714_564_800)
    /// The fixed clock: one second after the snapshot.
    static let now = takenAt.addingTimeInterval(1)

    struct Pod {
        var namespace: String
        var name: String
        var address: String
        var containerID: String
        var phase: Endpoint.Phase = .ready
        var vethIndex: Int32?
        var netnsAlive = true
        var ageSeconds: Double
        var bytes: UInt64
    }

    static let pods: [Pod] = [
        Pod(namespace: "default", name: "web-1", address: "10.240.0.11", containerID: "3f2a9c0e1b2d4c5e6f708192a3b4c5d6",
            vethIndex: 11, ageSeconds: 3600, bytes: 1_200_000),
        Pod(namespace: "default", name: "web-2", address: "10.240.0.12", containerID: "7b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e",
            vethIndex: 12, ageSeconds: 1800, bytes: 800_000),
        Pod(namespace: "kube-system", name: "coredns-5d78c9869d-abcde", address: "10.240.0.13",
            containerID: "c0ffee00112233445566778899aabbcc", vethIndex: 13, ageSeconds: 86400 * 3, bytes: 56_000_000),
        Pod(namespace: "payments", name: "api-7f9c", address: "10.240.0.14", containerID: "deadbeef00112233445566778899aabb",
            phase: .attaching, vethIndex: 14, ageSeconds: 20, bytes: 0),
        Pod(namespace: "batch", name: "job-old", address: "10.240.0.15", containerID: "0123456789abcdef0123456789abcdef",
            vethIndex: nil, netnsAlive: false, ageSeconds: 7200, bytes: 0),
    ]

    static func key(_ pod: Pod) -> AttachmentKey { AttachmentKey(containerID: pod.containerID, ifname: "eth0") }

    static func veth(_ pod: Pod) -> String { HostVethName.make(network: "vnet", key: key(pod)) }

    /// `scale` multiplies every counter (the earlier snapshot uses a smaller one).
    static func link(_ index: Int32, _ name: String, kind: String, master: String?, bytes: UInt64, scale: Double,
                     state: OperState = .up) -> Link {
        let b = UInt64(Double(bytes) * scale)
        return Link(index: index, name: name, kind: kind, master: master, operState: state, adminUp: true, mtu: 1500,
                        mac: String(format: "02:00:0a:f0:00:%02x", index),
                        counters: LinkCounters(rxBytes: b, txBytes: b / 2, rxPackets: b / 1000, txPackets: b / 2000,
                                               rxDropped: index == 13 ? 3 : 0))
    }

    static func snapshot(at time: Date = takenAt, scale: Double = 1, lock: Bool = false, pods: [Pod] = pods) -> NodeSnapshot {
        var endpoints: [EndpointView] = pods.map { pod in
            let address = IPv4Address(pod.address)!
            return EndpointView(
                key: key(pod), pod: PodIdentity(namespace: pod.namespace, name: pod.name), address: address,
                hostVeth: veth(pod), netns: "/var/run/netns/cni-\(pod.containerID.prefix(8))", phase: pod.phase,
                link: pod.vethIndex.map { link($0, veth(pod), kind: "veth", master: "vnet0", bytes: pod.bytes, scale: scale) },
                nat: pod.bytes > 0 ? PodNATCounter(address: address, packets: UInt64(Double(pod.bytes / 1500) * scale),
                                                   bytes: UInt64(Double(pod.bytes / 3) * scale)) : nil,
                namespace: pod.netnsAlive ? .alive : .gone, createdAt: takenAt.addingTimeInterval(-pod.ageSeconds))
        }
        // The first pod is exposed: a public IP and two host ports, one of them on one address.
        if !endpoints.isEmpty {
            endpoints[0].publicIP = IPv4Address("198.51.100.10")
            endpoints[0].portMappings = [PortMapping(hostPort: 8080, containerPort: 80),
                                         PortMapping(hostPort: 5353, containerPort: 53, transport: .udp, hostIP: IPv4Address("10.240.0.44"))]
        }
        let bridge = link(3, "vnet0", kind: "bridge", master: nil, bytes: 60_000_000, scale: scale)
        var links = [link(2, "eth0", kind: "", master: nil, bytes: 900_000_000, scale: scale), bridge]
        links += endpoints.compactMap(\.link)
        links.append(link(99, "vn0badc0ffee01", kind: "veth", master: "vnet0", bytes: 0, scale: scale, state: .down))
        let rules = [
            NATRuleCounter(chain: "postrouting", handle: 4, comment: "accept traffic to VNet ranges 10.240.0.0/16",
                           packets: UInt64(40_000 * scale), bytes: UInt64(30_000_000 * scale)),
            NATRuleCounter(chain: "postrouting", handle: 5, comment: "accept traffic to no-SNAT ranges 192.168.0.0/16",
                           packets: UInt64(1_000 * scale), bytes: UInt64(800_000 * scale)),
            NATRuleCounter(chain: "postrouting", handle: 6, comment: "masquerade pod traffic leaving the VNet to 10.240.0.4",
                           packets: UInt64(12_000 * scale), bytes: UInt64(9_000_000 * scale)),
        ]
        let perPod = endpoints.compactMap(\.nat)
        let gone = pods.first { $0.vethIndex == nil }
        var leaks: [LeakSuspect] = []
        if let gone {
            leaks.append(LeakSuspect(key: key(gone), address: IPv4Address(gone.address), hostVeth: veth(gone),
                                     netns: "/var/run/netns/cni-\(gone.containerID.prefix(8))", evidence: [.netnsGone, .noVeth]))
        }
        leaks.append(LeakSuspect(key: nil, address: nil, hostVeth: "vn0badc0ffee01", netns: nil, evidence: [.vethWithoutEndpoint]))
        leaks.append(LeakSuspect(key: AttachmentKey(containerID: "feedface99887766", ifname: "eth0"),
                                 address: IPv4Address("10.240.0.20"), hostVeth: nil, netns: nil, evidence: [.leaseWithoutEndpoint]))
        let usedCount = pods.count + 1
        let usage = PoolUsage(capacity: 61, used: usedCount, coolingDown: 2, free: 61 - usedCount - 2, flagged: 1,
                              limits: Limits())
        let source = PoolSourceInfo(kind: "imds", fetchedAt: takenAt.addingTimeInterval(-42), servedFromCache: false)
        let plainKey = AttachmentKey(containerID: "feedface99887766", ifname: "eth0")
        let plain = Lease(key: plainKey, address: IPv4Address(10, 240, 0, 20), createdAt: takenAt.addingTimeInterval(-900),
                          owner: "vnet-ipam")
        let nat = NATSnapshot(present: true, snatAddress: IPv4Address(10, 240, 0, 4), rules: rules, perPod: perPod)
        let holder: LockHolder? = lock ? LockHolder(pid: 4242, verb: "add", since: takenAt.addingTimeInterval(-3)) : nil
        let alerts = [
            Alert(severity: .warning, message: "10.240.0.15 is held but the pool source no longer lists it"),
            Alert(severity: .critical, message: "batch/job-old: netns gone and host veth missing (leak)"),
            Alert(severity: .info, message: "pool source imds answered 42s ago"),
        ]
        return NodeSnapshot(
            takenAt: time, node: "aks-nodepool1-0", network: "vnet", bridge: "vnet0", bridgeLink: bridge,
            primaryAddress: IPv4Address(10, 240, 0, 4), source: source, usage: usage,
            subnet: IPv4Prefix(address: IPv4Address(10, 240, 0, 0), length: 16), gateway: IPv4Address(10, 240, 0, 1),
            endpoints: endpoints, plainLeases: [plain], links: links, nat: nat, leaks: leaks, lockHolder: holder,
            alerts: alerts, stateGeneration: 42)
    }

    /// The snapshot two seconds earlier with 90% of every counter.
    static var previous: NodeSnapshot { snapshot(at: takenAt.addingTimeInterval(-2), scale: 0.9) }

    /// A node with `count` ready pods, for the performance test.
    static func large(_ count: Int, at time: Date = takenAt, scale: Double = 1) -> NodeSnapshot {
        var many: [Pod] = []
        for i in 0..<count {
            let name = "pod-\(i)-" + String(i * 7919, radix: 16)
            let address = "10.240.\(1 + i / 250).\(i % 250 + 1)"
            let id = String(format: "%032x", i * 104_729 + 1)
            many.append(Pod(namespace: "ns-\(i % 17)", name: name, address: address, containerID: id,
                            vethIndex: Int32(100 + i), ageSeconds: Double(i * 37), bytes: UInt64(i * 12_345)))
        }
        var s = snapshot(at: time, scale: scale, pods: many)
        s.usage = PoolUsage(capacity: 16_000, used: count, coolingDown: 3, free: 16_000 - count - 3, flagged: 0, limits: Limits())
        return s
    }
}

/// Answers a queue of snapshots (the last one repeats), or throws when told to.
final class SequenceSource: SnapshotSource {
    var snapshots: [NodeSnapshot]
    var error: (any Error)?
    private(set) var calls = 0

    init(_ snapshots: [NodeSnapshot]) { self.snapshots = snapshots }

    func snapshot() throws -> NodeSnapshot {
        calls += 1
        if let error { throw error }
        return snapshots.count > 1 ? snapshots.removeFirst() : snapshots[0]
    }
}

struct FakeError: Error, CustomStringConvertible {
    var description: String
}

/// Records every call; plans are canned, perform answers or throws.
final class SpyActions: ConsoleActions {
    enum Call: Equatable {
        case planAttach(AttachRequest)
        case planDetach(AttachmentKey)
        case planReclaim([IPv4Address])
        case perform(ChangePlan)
    }

    private(set) var calls: [Call] = []
    var planError: (any Error)?
    var performError: (any Error)?
    var generation: UInt64 = 42

    func plan(_ action: ChangePlan.Action, _ summary: String, _ changes: [Change], facts: [String]) throws -> ChangePlan {
        if let planError { throw planError }
        return ChangePlan(action: action, summary: summary, changes: changes, stateGeneration: generation, facts: facts)
    }

    func planAttach(_ request: AttachRequest) throws -> ChangePlan {
        calls.append(.planAttach(request))
        return try plan(.attach, "Attach \(request.pod.display) (\(request.key)) in \(request.netns)", [
            Change(.lease, .add, "next free address for \(request.key)"),
            Change(.link, .add, "veth pair, peer \(request.key.ifname) in \(request.netns)"),
            Change(.nat, .add, "pod address in the SNAT set"),
        ], facts: ["netns \(request.netns)"])
    }

    func planDetach(_ key: AttachmentKey) throws -> ChangePlan {
        calls.append(.planDetach(key))
        return try plan(.detach, "Detach \(key)", [
            Change(.link, .remove, "host veth of \(key)"),
            Change(.nat, .remove, "pod address from the SNAT set"),
            Change(.lease, .remove, "lease of \(key)"),
        ], facts: ["endpoint \(key)"])
    }

    func planReclaim(_ addresses: [IPv4Address]) throws -> ChangePlan {
        calls.append(.planReclaim(addresses))
        return try plan(.reclaim, "Reclaim \(addresses.count) address(es)",
                        addresses.map { Change(.lease, .remove, "\($0)") }, facts: addresses.map(\.description))
    }

    func perform(_ plan: ChangePlan) throws -> String {
        calls.append(.perform(plan))
        if let performError { throw performError }
        return "\(plan.action.rawValue) done: \(plan.changes.count) changes"
    }

    var performed: [ChangePlan] {
        calls.compactMap { if case .perform(let p) = $0 { return p } else { return nil } }
    }

    /// The fake listing of /var/run/netns the attach form completes from.
    var namespaceNames: [String] = []

    func namedNamespaces() -> [String] { namespaceNames }
}

/// The demo's actions, counting the breaks asked for.
final class SpyDemo: DemoActions {
    var breaks = 0
    var error: (any Error)?

    func breakPod() throws -> String {
        if let error { throw error }
        breaks += 1
        return "broke web/web-\(breaks)"
    }
}

/// The fake node's event log: pods added and deleted, one ADD refused by the pool, a reclaim.
enum FakeEvents {
    static func event(_ secondsAgo: Double, _ verb: String, pod: String?, caller: String = "vnet", failed: Bool = false,
                      code: Int? = nil, message: String? = nil, seconds: Double = 0.012) -> NodeEvent {
        NodeEvent(at: FakeSnapshots.takenAt.addingTimeInterval(-secondsAgo), verb: verb, caller: caller, network: "vnet",
                  container: pod.map { "c0ffee" + String($0.utf8.count) + "0123456789abcdef" }, ifname: "eth0", pod: pod,
                  failed: failed, code: code, message: message, seconds: seconds)
    }

    static let events: [NodeEvent] = [
        event(3_000, "ADD", pod: "default/web-0", message: "10.240.0.10 via vnc0a1b2c3d4e5"),
        event(240, "ADD", pod: "default/web-1", message: "10.240.0.11 via vnc1a1b2c3d4e5", seconds: 0.018),
        event(200, "DEL", pod: "default/old-1", seconds: 0.009),
        event(150, "reclaim", pod: nil, caller: "vnetctl", message: "reclaimed 10.240.0.20"),
        event(60, "ADD", pod: "batch/job-new", failed: true, code: 100,
              message: "no free address in pool 10.240.0.10-10.240.0.70: 5 leased, 2 cooling down, 54 flagged or excluded",
              seconds: 0.004),
        event(30, "ADD", pod: "default/web-2", message: "10.240.0.12 via vnc2a1b2c3d4e5", seconds: 0.015),
    ]

    static var source: FixedEventSource { FixedEventSource(EventBatch(events: events)) }
}

/// A controller on the fake node with two refreshes done (so rates are known) and a fixed clock.
func makeController(readOnly: Bool = false, actions: SpyActions? = SpyActions(), lock: Bool = false,
                    glyphs: Glyphs = .unicode, events: (any EventSource)? = FakeEvents.source, demo: SpyDemo? = nil,
                    demoHint: String? = nil) -> (ConsoleController, SequenceSource, SpyActions?) {
    let source = SequenceSource([FakeSnapshots.snapshot(at: FakeSnapshots.takenAt.addingTimeInterval(-2), scale: 0.9, lock: lock),
                                 FakeSnapshots.snapshot(lock: lock)])
    let controller = ConsoleController(source: source, actions: actions, events: events, demo: demo,
                                       configuration: ConsoleConfiguration(readOnly: readOnly, demoHint: demoHint),
                                       now: { FakeSnapshots.now })
    controller.glyphs = glyphs
    controller.refresh()
    controller.refresh()
    return (controller, source, actions)
}
