import CNI
import VNetIPAM
import VNetModel
import VNetOperations
import VNetState

/// Addresses from an IPAM plugin other than vnet-ipam (host-local, ...), executed from CNI_PATH with the
/// call's stdin and environment, as the spec prescribes. vnet records its endpoint in its own store.
struct DelegatedAddresses: AddressProvider {
    let type: String
    let call: CNICall
    let store: StateStore

    func acquire(_ request: AttachRequest, endpoint: @escaping (IPAMAllocation) -> Endpoint) throws -> IPAMAllocation {
        let result = try Delegation.add(type, call: call)
        guard let ip = result.ips.first else {
            try? run(.del)
            throw CNIError(.ioFailure, "IPAM plugin \(type) returned no IPv4 address")
        }
        let gateway = ip.gateway ?? ip.address.canonical.firstHost
        let allocation = IPAMAllocation(address: ip.address, gateway: gateway,
                                        routes: result.routes, dns: result.dns)
        do {
            try store.update(verb: "add", lockTimeout: IPAMConfig.defaultLockTimeout, for: request.key) { state in state.upsert(endpoint(allocation)) }
        } catch {
            try? run(.del)
            throw error
        }
        return allocation
    }

    func release(_ key: AttachmentKey) throws {
        try store.update(verb: "del", lockTimeout: IPAMConfig.defaultLockTimeout, for: key) { state in state.removeEndpoint(key) }
        try run(.del)
    }

    func check(_ key: AttachmentKey, expected: IPv4Address?) throws { try run(.check) }

    func status() throws {
        if CNIVersion.atLeast(call.config.cniVersion, "1.1.0") { try run(.status) }
    }

    func collectGarbage(valid: Set<AttachmentKey>) throws {
        try store.update(verb: "gc", lockTimeout: IPAMConfig.defaultLockTimeout) { state in
            state.endpoints.removeAll { !valid.contains($0.key) }
        }
        try run(.gc)
    }

    private func run(_ command: CNICommand) throws {
        _ = try Delegation.run(type, command: command, stdin: call.config.bytes, environment: call.processEnvironment,
                               path: call.environment.path)
    }
}
