import Foundation
import VNetModel
@testable import VNetConsole

/// A fixed rule set for the Security screen's goldens: four operator rules (two selecting pods by glob) and
/// the six defaults, counters two seconds apart so packets per second are known numbers, and per-pod counts
/// of new connections on the fake node.
enum FakeSecurity {
    static let rules: [SecurityRule] = [
        SecurityRule(name: "web-in", priority: 100, direction: .inbound, access: .allow, transport: .tcp, sources: [.internet],
                     destinationPorts: [PortRange("80")!, PortRange("8000-8100")!], pods: [PodGlob("default/web-*")!]),
        SecurityRule(name: "ssh-deny", priority: 200, direction: .inbound, access: .deny, transport: .tcp,
                     destinationPorts: [PortRange("22")!]),
        SecurityRule(name: "dns-out", priority: 100, direction: .outbound, access: .allow, transport: .udp,
                     destinationPorts: [PortRange("53")!], pods: [PodGlob("kube-system/*")!]),
        SecurityRule(name: "no-metadata", priority: 300, direction: .outbound, access: .deny, transport: .any,
                     destinations: [AddressMatch("169.254.169.254")!]),
    ]

    static let context = RuleContext(virtualNetwork: [IPv4Prefix("10.240.0.0/16")!], nodeAddresses: [IPv4Address("10.240.0.4")!])

    /// Counters at `time`; `scale` grows them like the fake snapshots do (the earlier reading uses 0.9).
    static func reading(at time: Date = FakeSnapshots.takenAt, scale: Double = 1, counted: Bool = true) -> SecurityReading {
        let base: [(SecurityRule.Direction, Int, UInt64)] = [
            (.inbound, 100, 5_000), (.inbound, 200, 120), (.inbound, 65000, 40_000), (.inbound, 65001, 900), (.inbound, 65500, 310),
            (.outbound, 100, 2_400), (.outbound, 300, 0), (.outbound, 65000, 38_000), (.outbound, 65001, 7_700), (.outbound, 65500, 0),
        ]
        var counters: [RuleCounterKey: TrafficCounter] = [:]
        if counted {
            for (direction, priority, packets) in base {
                let p = UInt64(Double(packets) * scale)
                counters[RuleCounterKey(direction: direction, priority: priority)] = TrafficCounter(packets: p, bytes: p * 80)
            }
        }
        return SecurityReading(takenAt: time, rules: rules, counters: counters)
    }

    /// The fake node under rules: every pod counted in `pod_in` / `pod_out`.
    static func snapshot(at time: Date = FakeSnapshots.takenAt, scale: Double = 1) -> NodeSnapshot {
        var s = FakeSnapshots.snapshot(at: time, scale: scale)
        s.nat.filteredInbound = s.endpoints.enumerated().map { i, e in
            PodNATCounter(address: e.address, packets: UInt64(Double(100 * (i + 1)) * scale), bytes: 0)
        }
        s.nat.filteredOutbound = s.endpoints.enumerated().map { i, e in
            PodNATCounter(address: e.address, packets: UInt64(Double(30 * (i + 1)) * scale), bytes: 0)
        }
        return s
    }

    /// A controller on the fake node with rules, two refreshes done (so movement is known) and a verifier
    /// that decides as the node would.
    static func controller(rules: Bool = true, readOnly: Bool = false, verifier: (any RuleVerifier)? = PolicyVerifier())
        -> ConsoleController {
        let earlier = FakeSnapshots.takenAt.addingTimeInterval(-2)
        let source = RulesSource(snapshots: [snapshot(at: earlier, scale: 0.9), snapshot()],
                                 readings: rules ? [reading(at: earlier, scale: 0.9), reading()] : [])
        let controller = ConsoleController(source: source, actions: SpyActions(), events: FakeEvents.source,
                                           configuration: ConsoleConfiguration(readOnly: readOnly), verifier: verifier,
                                           now: { FakeSnapshots.now })
        controller.refresh()
        controller.refresh()
        return controller
    }
}

/// Snapshots and security readings in step (the last of each repeats); no readings: a network without rules.
final class RulesSource: SnapshotSource {
    var snapshots: [NodeSnapshot]
    var readings: [SecurityReading]

    init(snapshots: [NodeSnapshot], readings: [SecurityReading]) {
        self.snapshots = snapshots
        self.readings = readings
    }

    func snapshot() throws -> NodeSnapshot { snapshots.count > 1 ? snapshots.removeFirst() : snapshots[0] }

    func securityReading() -> SecurityReading? {
        guard !readings.isEmpty else { return nil }
        return readings.count > 1 ? readings.removeFirst() : readings[0]
    }
}

/// Decides with the fixture's policy, as `Node.verify` does, over the fake node's pods; remembers the questions.
final class PolicyVerifier: RuleVerifier {
    private(set) var questions: [RuleQuestion] = []

    struct NotFound: Error, CustomStringConvertible {
        var description: String
    }

    func verify(_ question: RuleQuestion) throws -> RuleAnswer {
        questions.append(question)
        guard let pod = FakeSnapshots.pods.first(where: { "\($0.namespace)/\($0.name)" == question.pod || $0.name == question.pod }) else {
            throw NotFound(description: "no attached pod or container matches \"\(question.pod)\" (see vnetctl endpoints)")
        }
        let identity = PodIdentity(namespace: pod.namespace, name: pod.name)
        let flow = Flow(direction: question.direction, transport: question.transport, pod: IPv4Address(pod.address)!,
                        remote: question.remote, port: question.port)
        let policy = SecurityPolicy(rules: FakeSecurity.rules, context: FakeSecurity.context)
        return RuleAnswer(pod: identity, flow: flow, rule: policy.decide(flow, pod: identity)!)
    }
}
