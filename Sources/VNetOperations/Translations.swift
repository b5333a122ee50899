import VNetModel

/// Public IPs and host ports held by the node's endpoints: an ADD asking for one another endpoint holds is
/// refused (code 107, `OperationError.Kind.taken`) before any kernel change. Checked under the state lock,
/// in the same step that records the endpoint (`AddressProvider.acquire`), so two ADDs cannot both take it.
enum Translations {
    /// Why `endpoint` cannot have its public IP or host ports, or nil when no other endpoint holds them.
    /// Two host ports clash when their protocol and port are equal and either has no hostIP (any address)
    /// or both have the same one.
    static func conflict(_ endpoint: Endpoint, others: [Endpoint]) -> OperationError? {
        for other in others where other.key != endpoint.key {
            if let publicIP = endpoint.publicIP, other.publicIP == publicIP {
                return OperationError(.taken, "public IP \(publicIP) is already given to \(describe(other))")
            }
            for mine in endpoint.portMappings {
                for theirs in other.portMappings where clash(mine, theirs) {
                    return OperationError(.taken, "host port \(describe(mine)) is already taken by \(describe(other)) (\(describe(theirs)))")
                }
            }
        }
        // One pod asking twice for the same host port is refused as well: the second would never be reached.
        for (index, mine) in endpoint.portMappings.enumerated() {
            if let twin = endpoint.portMappings[..<index].first(where: { clash(mine, $0) }) {
                return OperationError(.taken, "host port \(describe(mine)) is asked for twice (also \(describe(twin)))")
            }
        }
        return nil
    }

    static func clash(_ a: PortMapping, _ b: PortMapping) -> Bool {
        a.transport == b.transport && a.hostPort == b.hostPort && (a.hostIP == nil || b.hostIP == nil || a.hostIP == b.hostIP)
    }

    static func describe(_ mapping: PortMapping) -> String {
        "\(mapping.hostIP.map { "\($0)" } ?? "*"):\(mapping.hostPort)/\(mapping.transport.rawValue)"
    }

    private static func describe(_ endpoint: Endpoint) -> String {
        let pod = [endpoint.pod.namespace, endpoint.pod.name].compactMap { $0 }.joined(separator: "/")
        return "container \(endpoint.key.containerID) (\(endpoint.key.ifname)\(pod.isEmpty ? "" : ", pod \(pod)"), \(endpoint.address.address))"
    }
}
