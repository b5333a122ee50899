/// A whole path probe of one pod: the hops in the order they ran and the verdict. What `vnetctl probe`
/// prints and the console's endpoint details show.
public struct ProbeReport: Hashable, Sendable {
    /// The pod as operators name it ("team/web-0", or the container ID when the runtime gave no name).
    public var pod: String
    public var key: AttachmentKey
    public var podAddress: IPv4Address
    public var hops: [ProbeHop]

    public init(pod: String, key: AttachmentKey, podAddress: IPv4Address, hops: [ProbeHop]) {
        self.pod = pod
        self.key = key
        self.podAddress = podAddress
        self.hops = hops
    }

    public var verdict: ProbeVerdict { ProbeVerdict(hops) }

    /// Whether every hop that ran passed (vnetctl's exit status 0).
    public var passed: Bool { !hops.contains { $0.outcome.failed } }

    /// The JSON contract of `vnetctl probe --json` (docs/vnetctl.md).
    public var json: JSONValue {
        .object([
            "pod": .string(pod),
            "container": .string(key.containerID),
            "ifname": .string(key.ifname),
            "address": .string(podAddress.description),
            "hops": .array(hops.map(\.json)),
            "passed": .bool(passed),
            "verdict": .string(verdict.text),
        ])
    }
}
