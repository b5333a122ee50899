import Foundation
import VNetModel
@testable import VNetConsole

/// A fixed VNet for goldens: three nodes (this one, a busy one and a LOST one), one conflict between the
/// other two, and a three-member registry with one member down; and VNets of any size for scrolling.
enum FakeVNet {
    static let thisNode = "aks-nodepool1-0"

    static func record(_ name: String, used: Int, leaks: Int = 0, ranges: [String], address: String, beat: Double) -> NodeRecord {
        NodeRecord(name: name, primaryAddress: IPv4Address(address), poolRanges: ranges, capacity: 250, used: used, leaks: leaks,
                   agentVersion: "0.9.0", updatedAt: FakeSnapshots.takenAt.addingTimeInterval(-beat))
    }

    static let members = [
        RegistryHealth.Member(endpoint: "https://10.0.0.5:2379", reachable: true, isLeader: true),
        RegistryHealth.Member(endpoint: "https://10.0.0.6:2379", reachable: true, isLeader: false),
        RegistryHealth.Member(endpoint: "https://10.0.0.7:2379", reachable: false, isLeader: false),
    ]

    static func status(readAt: Date = FakeSnapshots.takenAt) -> VNetStatus {
        var nodes = [
            VNetNodeStatus(name: thisNode, reserved: 50,
                           record: record(thisNode, used: 6, leaks: 3, ranges: ["10.240.0.0-10.240.0.60"], address: "10.240.0.4", beat: 2),
                           alive: true, heartbeatAge: 2),
            VNetNodeStatus(name: "aks-nodepool1-1", reserved: 150,
                           record: record("aks-nodepool1-1", used: 120, ranges: ["10.240.1.0-10.240.1.250"], address: "10.240.1.4", beat: 4),
                           alive: true, heartbeatAge: 4),
            VNetNodeStatus(name: "aks-nodepool1-2", reserved: 100,
                           record: record("aks-nodepool1-2", used: 80, ranges: ["10.240.1.200-10.240.2.100"], address: "10.240.2.4",
                                          beat: 412),
                           alive: false, heartbeatAge: 412),
        ]
        // This node's pool is blocks of the VNet: 32 + 16 addresses and a partial block of 2 (the VNet's last).
        nodes[0].blocks = [("10.240.0.0/27", "10.240.0.0-10.240.0.31"), ("10.240.0.32/28", "10.240.0.32-10.240.0.47"),
                           ("10.240.0.48/28", "10.240.0.48-10.240.0.49")].map { block, range in
            AddressBlock(prefix: IPv4Prefix(block)!, state: .claimed, node: thisNode, addresses: [AddressRange(range)!],
                         claimedAt: FakeSnapshots.takenAt.addingTimeInterval(-600))
        }
        let conflict = VNetConflict(kind: .overlappingPools, nodes: ["aks-nodepool1-1", "aks-nodepool1-2"], subject: "10.240.1.200-10.240.1.250")
        return VNetStatus(vnet: "prod", limit: 16_000, reserved: 300, nodes: nodes, conflicts: [conflict], revision: 812,
                          registry: RegistryHealth(members: members, lastError: nil), readAt: readAt)
    }

    /// `count` nodes, every seventh LOST, for scrolling and frame-size tests.
    static func large(_ count: Int, readAt: Date = FakeSnapshots.takenAt) -> VNetStatus {
        let nodes = (0..<count).map { i -> VNetNodeStatus in
            let name = i == 0 ? thisNode : "aks-pool\(i / 16)-\(String(format: "%02d", i))"
            let used = (i * 37 + 6) % 240
            let alive = i % 7 != 3
            return VNetNodeStatus(name: name, reserved: min(250, used + 10 + i % 30),
                                  record: record(name, used: used, leaks: i % 11 == 5 ? 1 : 0,
                                                 ranges: ["10.\(100 + i / 250).\(i % 250).0/24"], address: "10.0.\(i / 250).\(i % 250 + 1)",
                                                 beat: alive ? Double(i % 5) : 600),
                                  alive: alive, heartbeatAge: alive ? Double(i % 5) : 600)
        }
        let reserved = nodes.reduce(0) { $0 + $1.reserved }
        return VNetStatus(vnet: "big", limit: 16_000, reserved: reserved, nodes: nodes, conflicts: [], pressureFrom: nil,
                          revision: 90_210, registry: RegistryHealth(members: members, lastError: nil), readAt: readAt)
    }
}

/// Answers a queue of views (the last one repeats), or throws when told to; counts the reads.
final class SequenceVNetSource: VNetSource {
    let thisNode: String
    var statuses: [VNetStatus]
    var error: (any Error)?
    private(set) var calls = 0

    init(thisNode: String = FakeVNet.thisNode, _ statuses: [VNetStatus]) {
        self.thisNode = thisNode
        self.statuses = statuses
    }

    func vnetStatus() throws -> VNetStatus {
        calls += 1
        if let error { throw error }
        return statuses.count > 1 ? statuses.removeFirst() : statuses[0]
    }
}

/// Records forget-node plans and performs.
final class SpyVNetActions: VNetActions {
    private(set) var planned: [String] = []
    private(set) var performed: [ChangePlan] = []

    func planForgetNode(_ node: String) throws -> ChangePlan {
        planned.append(node)
        return ChangePlan(action: .forgetNode, summary: "Forget node \(node)", changes: [
            Change(.state, .remove, "reservation of \(node) (100 pods) from the VNet's quota"),
            Change(.state, .remove, "record nodes/\(node)"),
        ], stateGeneration: 812, facts: ["\(node) LOST, last heartbeat 6m52s ago"])
    }

    func perform(_ plan: ChangePlan) throws -> String {
        performed.append(plan)
        return "forgot \(plan.summary.dropFirst("Forget node ".count))"
    }
}

/// A clock tests move by hand.
final class TestClock {
    var now: Date
    init(_ now: Date = FakeSnapshots.now) { self.now = now }
}

/// A controller on the fake node with the fake VNet: two refreshes done, on `clock`.
func makeVNetController(source: SequenceVNetSource = SequenceVNetSource([FakeVNet.status()]),
                        vnetActions: SpyVNetActions? = SpyVNetActions(), readOnly: Bool = false,
                        clock: TestClock = TestClock()) -> ConsoleController {
    let node = SequenceSource([FakeSnapshots.snapshot(at: FakeSnapshots.takenAt.addingTimeInterval(-2), scale: 0.9),
                               FakeSnapshots.snapshot()])
    let controller = ConsoleController(source: node, actions: SpyActions(), vnet: source, vnetActions: vnetActions,
                                       configuration: ConsoleConfiguration(readOnly: readOnly), now: { clock.now })
    controller.refresh()
    controller.refresh()
    return controller
}
