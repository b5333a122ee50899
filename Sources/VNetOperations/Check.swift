import VNetModel
import VNetState

extension Node {
    /// CHECK: the attachment is as ADD left it. Returns nothing; throws the first difference found.
    public func check(_ key: AttachmentKey, netns: String, expected: IPv4Address?) throws(OperationError) {
        do {
            let state = try store.load(for: key)
            guard let endpoint = state.endpoint else {
                throw OperationError(.checkFailed, "no endpoint recorded for \(key)")
            }
            if let expected, expected != endpoint.address.address {
                throw OperationError(.checkFailed, "\(key) has \(endpoint.address.address), the runtime expects \(expected)")
            }
            guard let host = try kernel.link(named: endpoint.hostVeth) else {
                throw OperationError(.checkFailed, "host veth \(endpoint.hostVeth) is missing")
            }
            guard host.master == endpoint.bridge else {
                throw OperationError(.checkFailed, "host veth \(endpoint.hostVeth) is not on bridge \(endpoint.bridge) (master: \(host.master ?? "none"))")
            }
            guard host.adminUp else { throw OperationError(.checkFailed, "host veth \(endpoint.hostVeth) is down") }
            guard let bridge = try kernel.link(named: endpoint.bridge), bridge.adminUp else {
                throw OperationError(.checkFailed, "bridge \(endpoint.bridge) is missing or down")
            }
            guard let pod = try kernel.inspectPod(netns: netns, ifname: key.ifname) else {
                throw OperationError(.checkFailed, "interface \(key.ifname) is missing in \(netns)")
            }
            guard pod.up else { throw OperationError(.checkFailed, "\(key.ifname) in \(netns) is down") }
            guard pod.addresses.contains(endpoint.address) else {
                throw OperationError(.checkFailed, "\(key.ifname) in \(netns) lacks \(endpoint.address) (has \(pod.addresses.map(\.description)))")
            }
            let hasDefault = pod.routes.contains { $0.dst.length == 0 }
            guard hasDefault else { throw OperationError(.checkFailed, "\(key.ifname) in \(netns) has no default route") }
            guard try nat.hasPod(endpoint.address.address) else {
                throw OperationError(.checkFailed, "the NAT set lacks \(endpoint.address.address)")
            }
            if config.securityRules != nil {
                let natConfig = try natConfig(subnet: endpoint.address.canonical, gateway: endpoint.gateway)
                let problems = try nat.problems(of: NATPod(endpoint), config: natConfig)
                if !problems.isEmpty {
                    throw OperationError(.checkFailed, "the security rules of \(endpoint.address.address) drifted: \(problems.joined(separator: "; "))")
                }
            }
            if let problem = try nat.translationProblems(NATPod(endpoint)).first {
                throw OperationError(.checkFailed, "the NAT maps: \(problem)")
            }
            try addresses.check(key, expected: endpoint.address.address)
        } catch {
            throw OperationError.wrap(error, step: "")
        }
    }
}
